"""What is waiting for the hub's operators (待办事项), for the back office's home.

Each queue is one query: the first few items in the order they should be handled, each row carrying the
queue's full size through a window count, so the home page costs one query per queue however long the
queues grow. This module sits in the projects app because it is the one app that may read all the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.filings.models import Filing, FilingStatus
from incubator.funding.models import (
    Application,
    ApplicationStatus,
    Assignment,
    Objection,
    ObjectionStatus,
    PublicNotice,
)
from incubator.orgs.models import Incubation, IncubationStatus
from incubator.projects.models import FINISHED, Project, ProjectStatus, Rectification, RectificationStatus

SHOWN = 5


@dataclass
class Item:
    title: str
    detail: str
    url: str


@dataclass
class Queue:
    key: str
    title: object
    count: int = 0
    items: list[Item] = field(default_factory=list)
    url: str = ""  # the full list, where one exists

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _day(value) -> str:
    return date_format(timezone.localtime(value) if hasattr(value, "hour") else value, "Y-m-d")


def first_with_count(queryset: QuerySet, shown: int = SHOWN) -> tuple[list, int]:
    """The first ``shown`` rows and how many rows there are in all, in one query (a window count)."""
    rows = list(queryset.annotate(rows_in_all=Window(Count("pk")))[:shown])
    return rows, (rows[0].rows_in_all if rows else 0)


def _incubations(today) -> Queue:
    rows, count = first_with_count(
        Incubation.objects.filter(status=IncubationStatus.APPLIED).select_related("organisation").order_by("applied_at")
    )
    return Queue(
        "incubations",
        gettext_lazy("Incubation requests"),
        count,
        [
            Item(
                str(r.organisation),
                _("applied on %(date)s") % {"date": _day(r.applied_at)},
                reverse("incubator_actions", args=["incubation", r.pk]),
            )
            for r in rows
        ],
        reverse("incubations:index") + f"?status={IncubationStatus.APPLIED}",
    )


def _filings(today) -> Queue:
    rows, count = first_with_count(
        Filing.objects.filter(status=FilingStatus.SUBMITTED).select_related("organisation").order_by("submitted_at")
    )
    return Queue(
        "filings",
        gettext_lazy("Filings waiting"),
        count,
        [
            Item(
                str(r.organisation),
                f"{r.get_kind_display()} · {_day(r.submitted_at)}" if r.submitted_at else r.get_kind_display(),
                reverse("incubator_actions", args=["filing", r.pk]),
            )
            for r in rows
        ],
        reverse("filings:index") + f"?status={FilingStatus.SUBMITTED}",
    )


def _screening(today) -> Queue:
    rows, count = first_with_count(
        Application.objects.filter(status=ApplicationStatus.SUBMITTED)
        .select_related("organisation", "call")
        .order_by("submitted_at", "pk")
    )
    return Queue(
        "screening",
        gettext_lazy("Applications to screen"),
        count,
        [
            Item(
                r.title or str(r.organisation),
                f"{r.organisation} · {r.call}",
                reverse("funding_admin_application", args=[r.pk]),
            )
            for r in rows
        ],
    )


def _reviews(today) -> Queue:
    rows, count = first_with_count(
        Assignment.objects.filter(submitted_at__isnull=True, application__status=ApplicationStatus.IN_REVIEW)
        .select_related("expert", "application__organisation")
        .order_by("application__call_id", "application_id", "pk")
    )
    return Queue(
        "reviews",
        gettext_lazy("Reviews outstanding"),
        count,
        [
            Item(
                str(r.expert.get_full_name() or r.expert),
                r.application.title or str(r.application.organisation),
                reverse("funding_admin_application", args=[r.application_id]),
            )
            for r in rows
        ],
    )


def _notices(today) -> Queue:
    rows, count = first_with_count(
        PublicNotice.objects.filter(closed_at__isnull=True, ends_on__gte=today)
        .select_related("call")
        .order_by("starts_on", "pk")
    )
    return Queue(
        "notices",
        gettext_lazy("Public notices running"),
        count,
        [
            Item(
                str(r.call),
                _("%(start)s to %(end)s") % {"start": _day(r.starts_on), "end": _day(r.ends_on)},
                reverse("funding_call", args=[r.call_id]),
            )
            for r in rows
        ],
    )


def _objections(today) -> Queue:
    rows, count = first_with_count(
        Objection.objects.filter(status=ObjectionStatus.OPEN)
        .select_related("application__organisation", "notice")
        .order_by("lodged_at", "pk")
    )
    return Queue(
        "objections",
        gettext_lazy("Objections open"),
        count,
        [
            Item(
                r.application.title or str(r.application.organisation),
                f"{r.reference} · {_day(r.lodged_at)}",
                reverse("funding_call", args=[r.notice.call_id]) + "#objections",
            )
            for r in rows
        ],
    )


def _rectifications(status_filter: dict, key: str, title) -> Queue:
    rows, count = first_with_count(
        Rectification.objects.filter(**status_filter)
        .select_related("project__application__organisation")
        .order_by("due_on", "pk")
    )
    return Queue(
        key,
        title,
        count,
        [
            Item(
                str(r.project),
                _("%(organisation)s · due on %(date)s")
                % {"organisation": r.project.application.organisation, "date": _day(r.due_on)},
                reverse("projects_project", args=[r.project_id]) + "#rectifications",
            )
            for r in rows
        ],
    )


def _final_reports(today) -> Queue:
    rows, count = first_with_count(
        Project.objects.filter(final_report_overdue=True)
        .exclude(status__in=FINISHED)
        .select_related("application__organisation")
        .order_by("final_report_due_on", "pk")
    )
    return Queue(
        "final_reports",
        gettext_lazy("Final reports overdue"),
        count,
        [
            Item(
                str(r),
                _("%(organisation)s · due on %(date)s")
                % {"organisation": r.application.organisation, "date": _day(r.final_report_due_on)}
                if r.final_report_due_on
                else str(r.application.organisation),
                reverse("projects_project", args=[r.pk]),
            )
            for r in rows
        ],
    )


def _final_reports_to_check(today) -> Queue:
    """Final reports submitted, waiting for the hub to accept or return them (with their financial statement)."""
    rows, count = first_with_count(
        Project.objects.filter(status=ProjectStatus.FINAL_REPORT_SUBMITTED)
        .select_related("application__organisation")
        .order_by("final_report_due_on", "pk")
    )
    return Queue(
        "final_reports_to_check",
        gettext_lazy("Final reports to check"),
        count,
        [Item(str(r), str(r.application.organisation), reverse("projects_project", args=[r.pk])) for r in rows],
        reverse("projects:index") + f"?status={ProjectStatus.FINAL_REPORT_SUBMITTED}",
    )


def work_queues(today=None) -> list[Queue]:
    """Every queue of work waiting for the operators, in the order of the hub's year (one query each)."""
    today = today or timezone.localdate()
    return [
        _incubations(today),
        _filings(today),
        _screening(today),
        _reviews(today),
        _notices(today),
        _objections(today),
        _rectifications(
            {"status": RectificationStatus.ANSWERED},
            "rectification_answers",
            gettext_lazy("Rectification answers to review"),
        ),
        _rectifications(
            {"status": RectificationStatus.OPEN, "due_on__lt": today},
            "rectifications_overdue",
            gettext_lazy("Rectifications overdue"),
        ),
        _final_reports_to_check(today),
        _final_reports(today),
    ]

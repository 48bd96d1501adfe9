"""Back-office search over the hub's own records (organisations, calls, applications, funded projects),
offered before Wagtail's page search: an operator looking for "光华" wants the organisation, not a CMS page.

Each kind is one query returning its first matches and, through a window count, how many there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from incubator.funding.models import Application, ApplicationStatus, Call
from incubator.orgs.models import Organisation
from incubator.projects.models import Project
from incubator.projects.workqueue import first_with_count

SHOWN = 10  # per kind of record
MAX_QUERY = 100


_first = partial(first_with_count, shown=SHOWN)


@dataclass
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class Section:
    key: str
    title: object
    count: int = 0
    hits: list[Hit] = field(default_factory=list)
    all_url: str = ""  # a listing that shows every match, where one exists

    @property
    def truncated(self) -> bool:
        return self.count > len(self.hits)


def _listing(name: str, query: str) -> str:
    return reverse(name) + "?" + urlencode({"q": query})


def search_hub(query: str) -> list[Section]:
    """Every kind of record whose name, title, responsible person or credit code contains ``query``."""
    query = " ".join(query.split())[:MAX_QUERY]
    if not query:
        return []
    organisations, count = _first(
        Organisation.objects.filter(
            Q(name__icontains=query) | Q(uscc__icontains=query) | Q(responsible_person__icontains=query)
        ).order_by("name", "pk")
    )
    sections = [
        Section(
            "organisations",
            _("Organisations"),
            count,
            [
                Hit(
                    o.name,
                    " · ".join(filter(None, [o.get_legal_form_display(), o.responsible_person, o.uscc])),
                    reverse("organisations:edit", args=[o.pk]),
                )
                for o in organisations
            ],
            _listing("organisations:index", query),
        )
    ]
    calls, count = _first(Call.objects.filter(title__icontains=query).order_by("-opens_at", "-pk"))
    sections.append(
        Section(
            "calls",
            _("Calls"),
            count,
            [Hit(c.title, c.get_status_display(), reverse("funding_call", args=[c.pk])) for c in calls],
            _listing("calls:index", query),
        )
    )
    applications, count = _first(
        Application.objects.exclude(status=ApplicationStatus.DRAFT)
        .filter(Q(title__icontains=query) | Q(organisation__name__icontains=query))
        .select_related("organisation", "call")
        .order_by("-submitted_at", "-pk")
    )
    sections.append(
        Section(
            "applications",
            _("Applications"),
            count,
            [
                Hit(
                    a.title or str(a.organisation),
                    f"{a.organisation} · {a.call} · {a.get_status_display()}",
                    reverse("funding_admin_application", args=[a.pk]),
                )
                for a in applications
            ],
        )
    )
    projects, count = _first(
        Project.objects.filter(
            Q(application__title__icontains=query) | Q(application__organisation__name__icontains=query)
        )
        .select_related("application__organisation")
        .order_by("-pk")
    )
    sections.append(
        Section(
            "projects",
            _("Funded projects"),
            count,
            [
                Hit(
                    str(p),
                    f"{p.application.organisation} · {p.get_status_display()}",
                    reverse("projects_project", args=[p.pk]),
                )
                for p in projects
            ],
            _listing("projects:index", query),
        )
    )
    return sections

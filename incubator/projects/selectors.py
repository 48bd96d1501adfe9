"""Reads for the funded projects' back office: one project's page and the portfolio dashboard.

Everything here runs a fixed number of queries whatever the number of projects: sums and counts are
aggregated in the database, per-project figures come from correlated subqueries of one query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.audit.models import AuditEvent
from incubator.funding.models import Call, CallField
from incubator.projects import services
from incubator.projects.models import (
    FINISHED,
    Grade,
    Installment,
    Project,
    ProjectActivity,
    ProjectStatus,
    Rectification,
    RectificationStatus,
    ReportKind,
    SpendingLine,
    variance_percent,
)

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


# --- One project's page ------------------------------------------------------------------------------


def project_for_page(pk: int) -> QuerySet:
    return Project.objects.select_related(
        "application__organisation", "application__call", "supervisor", "evaluator"
    ).filter(pk=pk)


def people_with_role(role: str) -> QuerySet:
    return User.objects.filter(groups__name=role, is_active=True).distinct().order_by("email")


def supervisors() -> QuerySet:
    return people_with_role(Role.SUPERVISOR)


def evaluators() -> QuerySet:
    return people_with_role(Role.EVALUATOR)


def installments(project: Project) -> list[Installment]:
    """The contract's installments, each marked ``releasable`` when a release would be accepted now."""
    rows = list(project.installments.select_related("released_by"))
    earlier_released = True
    for installment in rows:
        installment.releasable = (
            earlier_released
            and not installment.released_on
            and bool(installment.condition_met_on)
            and project.status != ProjectStatus.TERMINATED
        )
        earlier_released = earlier_released and bool(installment.released_on)
    return rows


def progress_table(project: Project) -> dict:
    """``services.progress`` as a table: one column per reporting period, one row per objective."""
    rows = services.progress(project)
    reports = {}
    for row in rows:
        for period in row["periods"]:
            reports.setdefault(period["report"].pk, period["report"])
    columns = sorted(reports.values(), key=lambda r: (r.period_start, r.pk))
    for row in rows:
        by_report = {period["report"].pk: period for period in row["periods"]}
        row["cells"] = [by_report.get(report.pk) for report in columns]
    return {"reports": columns, "rows": rows}


def rectifications(project: Project, today: datetime.date | None = None) -> list[Rectification]:
    today = today or timezone.localdate()
    rows = list(project.rectifications.select_related("required_by"))
    for rectification in rows:
        # Overdue while it waits for the organisation's answer past its deadline (flagged daily or not yet).
        rectification.is_overdue = rectification.status == RectificationStatus.OPEN and (
            bool(rectification.overdue_since) or rectification.due_on < today
        )
    return rows


def history(project: Project, limit: int = 100) -> QuerySet:
    return AuditEvent.objects.filter(subject_type=project._meta.label_lower, subject_id=str(project.pk)).select_related(
        "actor"
    )[:limit]


def project_page(project: Project) -> dict:
    """What the project's page shows, read in a fixed number of queries."""
    rows = installments(project)
    activities = list(project.activities.select_related("recorded_by"))
    reports = list(
        project.reports.select_related("submitted_by").prefetch_related(
            Prefetch("spending", SpendingLine.objects.select_related("budget_line"))
        )
    )
    final_report = next((r for r in reports if r.kind == ReportKind.FINAL and r.returned_at is None), None)
    return {
        "installments": rows,
        "money": services.money_summary(project),
        "progress": progress_table(project),
        "activities": activities,
        "beneficiaries": sum(a.beneficiaries for a in activities),
        "participants": sum(a.participants for a in activities),
        "reports": reports,
        "final_report": final_report,
        "statement": services.statement_of(final_report),
        "statement_problems": services.statement_problems(project, final_report)
        if project.status == ProjectStatus.FINAL_REPORT_SUBMITTED and final_report
        else [],
        "visits": project.visits.select_related("supervisor"),
        "rectifications": rectifications(project),
        "reviews": project.mid_term_reviews.select_related("reviewer"),
        "evaluations": project.evaluations.select_related("evaluator").prefetch_related("scores__objective"),
        "appraisal": services.appraisal_results(project),
        "evidence": evidence_rows(project),
        "history": history(project),
    }


def evidence_rows(project: Project) -> list:
    """Every file of the project with the record it documents (``.record``) and why only the hub may still
    remove it (``.closed``); one query."""
    rows = list(
        project.evidence.select_related(
            "activity", "report", "rectification", "visit", "evaluation", "uploaded_by"
        ).order_by("subject", "uploaded_at", "id")
    )
    for row in rows:
        row.record = project if row.subject == "contract" else getattr(row, row.subject)
        if row.record is not project:
            row.record.project = project  # the states that decide whether it is closed
        row.closed = services.closed_reason(row.record)
    return rows


def evidence_choices(project: Project, activities, reports, visits, rectifications, evaluations) -> list:
    """(key, label) of each record of the project that takes files, for the back office's upload form."""
    choices = [("contract", _("The signed and stamped contract"))]
    for label, records in (
        (_("Activity"), activities),
        (_("Report"), reports),
        (_("Rectification answer"), rectifications),
        (_("Supervision visit"), visits),
        (_("Evaluation report"), evaluations),
    ):
        choices += [(services.record_key(record), f"{label}: {str(record)[:60]}") for record in records]
    return choices


# --- The portfolio -------------------------------------------------------------------------------------


def portfolio_projects(*, call: Call | int | None = None, year: int | None = None) -> QuerySet:
    """Projects of one call and/or whose project period starts in one year (the year of ``starts_on``)."""
    projects = Project.objects.all()
    if call:
        projects = projects.filter(application__call=call)
    if year:
        projects = projects.filter(starts_on__year=year)
    return projects


def portfolio_calls() -> QuerySet:
    """Calls that funded at least one project, for the filter."""
    return Call.objects.filter(applications__project__isnull=False).distinct().order_by("-opens_at")


def portfolio_years() -> list[int]:
    """The years in which projects started, latest first, for the filter."""
    years = (
        Project.objects.filter(starts_on__isnull=False)
        .annotate(year=ExtractYear("starts_on"))
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


@dataclass
class Portfolio:
    projects: int = 0
    award: Decimal = ZERO
    released: Decimal = ZERO
    beneficiaries: int = 0
    brand_projects: int = 0
    by_state: list[dict] = field(default_factory=list)
    by_field: list[dict] = field(default_factory=list)
    by_grade: list[dict] = field(default_factory=list)
    overdue_rectifications: list[Rectification] = field(default_factory=list)
    overdue_final_reports: list[Project] = field(default_factory=list)
    # Budget against actual: the projects whose final report (not returned) gives its financial statement, their
    # approved budget (the awards, split over the budget lines: services.approved_budget) and what they spent.
    statements: int = 0
    statement_budget: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.award - self.released

    @property
    def spending_variance(self) -> Decimal:
        return self.spent - self.statement_budget

    @property
    def spending_variance_percent(self) -> Decimal | None:
        return variance_percent(self.statement_budget, self.spent)

    @property
    def state_max(self) -> int:
        return max([row["count"] for row in self.by_state] + [1])

    @property
    def field_max(self) -> int:
        return max([row["count"] for row in self.by_field] + [1])


def portfolio(projects: QuerySet | None = None) -> Portfolio:
    """The dashboard's figures for ``projects`` (all by default), in ten queries whatever their number."""
    projects = Project.objects.all() if projects is None else projects
    ids = projects.values("pk")
    totals = projects.aggregate(
        projects=Count("id"),
        award=Coalesce(Sum("award"), Value(ZERO), output_field=MONEY_FIELD),
        brand=Count("id", filter=Q(is_brand=True)),
    )
    released = Installment.objects.filter(project__in=ids, released_on__isnull=False).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY_FIELD)
    )["total"]
    beneficiaries = ProjectActivity.objects.filter(project__in=ids).aggregate(
        total=Coalesce(Sum("beneficiaries"), Value(0))
    )["total"]
    spending = (
        _current_spending()
        .filter(report__project__in=ids)
        .aggregate(
            projects=Count("report__project", distinct=True),
            budgeted=Coalesce(Sum("budgeted"), Value(ZERO), output_field=MONEY_FIELD),
            actual=Coalesce(Sum("actual"), Value(ZERO), output_field=MONEY_FIELD),
        )
    )

    states = {
        row["status"]: row
        for row in projects.order_by().values("status").annotate(count=Count("id"), award=Sum("award"))
    }
    by_state = [
        {
            "code": code,
            "label": label,
            "count": states.get(code, {}).get("count", 0),
            "award": states.get(code, {}).get("award") or ZERO,
        }
        for code, label in ProjectStatus.choices
    ]

    fields = {
        row["application__service_field"]: row
        for row in projects.order_by()
        .values("application__service_field")
        .annotate(count=Count("id"), award=Sum("award"))
    }
    released_by_field = {
        row["project__application__service_field"]: row["total"]
        for row in Installment.objects.filter(project__in=ids, released_on__isnull=False)
        .order_by()
        .values("project__application__service_field")
        .annotate(total=Sum("amount"))
    }
    field_choices = list(CallField.choices)
    if "" in fields:
        field_choices.append(("", "—"))
    by_field = [
        {
            "code": code,
            "label": label,
            "count": fields.get(code, {}).get("count", 0),
            "award": fields.get(code, {}).get("award") or ZERO,
            "released": released_by_field.get(code) or ZERO,
        }
        for code, label in field_choices
    ]

    grades = dict(projects.exclude(grade="").order_by().values_list("grade").annotate(count=Count("id")))
    by_grade = [{"code": code, "label": label, "count": grades.get(code, 0)} for code, label in Grade.choices]

    running = projects.exclude(status__in=FINISHED)
    overdue_rectifications = list(
        Rectification.objects.filter(
            project__in=running.values("pk"), status=RectificationStatus.OPEN, overdue_since__isnull=False
        )
        .select_related("project__application__organisation")
        .order_by("due_on", "id")
    )
    overdue_final_reports = list(
        running.filter(final_report_overdue=True)
        .select_related("application__organisation")
        .order_by("final_report_due_on", "id")
    )
    return Portfolio(
        projects=totals["projects"],
        award=totals["award"],
        released=released,
        beneficiaries=beneficiaries,
        brand_projects=totals["brand"],
        by_state=by_state,
        by_field=by_field,
        by_grade=by_grade,
        overdue_rectifications=overdue_rectifications,
        overdue_final_reports=overdue_final_reports,
        statements=spending["projects"],
        statement_budget=spending["budgeted"],
        spent=spending["actual"],
    )


def _current_spending() -> QuerySet:
    """The lines of the financial statements that count: those of final reports not returned."""
    return SpendingLine.objects.filter(report__kind=ReportKind.FINAL, report__returned_at__isnull=True)


def portfolio_rows(projects: QuerySet | None = None) -> QuerySet:
    """Every project with its released money, beneficiaries, overdue rectifications and, once its final report
    gives the financial statement, the statement's approved budget and actual spending (else None): one query."""
    projects = Project.objects.all() if projects is None else projects
    released = (
        Installment.objects.filter(project=OuterRef("pk"), released_on__isnull=False)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    reached = (
        ProjectActivity.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("beneficiaries"))
        .values("total")
    )
    overdue = (
        Rectification.objects.filter(
            project=OuterRef("pk"), status=RectificationStatus.OPEN, overdue_since__isnull=False
        )
        .order_by()
        .values("project")
        .annotate(total=Count("id"))
        .values("total")
    )
    statement = _current_spending().filter(report__project=OuterRef("pk")).order_by().values("report__project")
    budgeted = statement.annotate(total=Sum("budgeted")).values("total")
    spent = statement.annotate(total=Sum("actual")).values("total")
    return (
        projects.select_related("application__organisation", "application__call")
        .annotate(
            statement_budget=Subquery(budgeted, output_field=MONEY_FIELD),
            spent_total=Subquery(spent, output_field=MONEY_FIELD),
            released_total=Coalesce(
                Subquery(released, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD
            ),
            beneficiaries_total=Coalesce(
                Subquery(reached, output_field=IntegerField()), Value(0), output_field=IntegerField()
            ),
            overdue_rectifications=Coalesce(
                Subquery(overdue, output_field=IntegerField()), Value(0), output_field=IntegerField()
            ),
        )
        .order_by("application__call__opens_at", "application__organisation__name", "id")
    )

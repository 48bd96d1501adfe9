"""Reads of venture philanthropy that need care: what each reader may see of an application's history."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from incubator.audit.models import AuditEvent
from incubator.funding.models import Application, ApplicationStatus, BudgetLine, CallField, TargetGroup

# What the applicant is shown of its own application's record: the changes of state, never who reviewed it,
# the operators' manual decisions or conflicts of interest.
_APPLICANT_STEPS = ("started", "submit", "screen_out", "accept", "reviewed", "recommend", "not_fund", "open_notice")
_APPLICANT_ACTIONS = frozenset(f"application.{name}" for name in (*_APPLICANT_STEPS, "award", "reject"))


def application_history(application: Application, *, for_applicant: bool = False, limit: int = 100) -> list:
    events: QuerySet = AuditEvent.objects.filter(
        subject_type=Application._meta.label_lower, subject_id=str(application.pk)
    ).select_related("actor")
    if for_applicant:
        events = events.filter(action__in=_APPLICANT_ACTIONS)
    return list(events[:limit])


def home_card_part(ids: list[int]) -> dict[int, dict]:
    """Each organisation's applications and where they stand, for the portal's home."""
    parts: dict[int, dict] = {pk: {"applications": []} for pk in ids}
    for application in (
        Application.objects.filter(organisation_id__in=ids).select_related("call").order_by("-call__opens_at", "-pk")
    ):
        parts[application.organisation_id]["applications"].append(application)
    return parts


def application_content(application: Application, *, attachment_url: str) -> dict:
    """What the read-only application shows to every reader who may see it (applicant, operator, expert)."""
    objectives = list(application.objectives.all())
    lines = list(application.budget_lines.all())
    return {
        "application": application,
        "target_groups": "、".join(str(TargetGroup(g).label) for g in application.target_groups),
        "objectives": objectives,
        "budget_lines": lines,
        "total": sum((line.amount for line in lines), Decimal("0.00")),
        "attachments": list(application.attachments.all()),
        "attachment_url": attachment_url,
    }


def filtered_applications(call, params) -> tuple[QuerySet, dict]:
    """A call's applications (not drafts) filtered by status, service field, target group and a search text,
    with the values chosen (for the filter form)."""
    chosen = {
        "status": params.get("status", ""),
        "field": params.get("field", ""),
        "group": params.get("group", ""),
        "q": params.get("q", "").strip()[:100],
    }
    rows = call.applications.exclude(status=ApplicationStatus.DRAFT).select_related("organisation", "project")
    if chosen["status"] in ApplicationStatus.values:
        rows = rows.filter(status=chosen["status"])
    if chosen["field"] in CallField.values:
        rows = rows.filter(service_field=chosen["field"])
    if chosen["group"] in TargetGroup.values:
        rows = rows.filter(target_groups__contains=[chosen["group"]])
    if chosen["q"]:
        rows = rows.filter(Q(title__icontains=chosen["q"]) | Q(organisation__name__icontains=chosen["q"]))
    requested = BudgetLine.objects.filter(application=OuterRef("pk")).values("application").annotate(s=Sum("amount"))
    rows = rows.annotate(
        requested=Coalesce(Subquery(requested.values("s")), Decimal("0.00"), output_field=DecimalField())
    )
    return rows.prefetch_related("assignments__expert").order_by("rank", "submitted_at", "pk"), chosen

"""Reads of venture philanthropy that need care: what each reader may see of an application's history."""

from __future__ import annotations

from django.db.models import QuerySet

from incubator.audit.models import AuditEvent
from incubator.funding.models import Application, ApplicationStatus

# What the applicant is shown of its own application's record: the changes of state, never who reviewed it,
# the operators' manual decisions or conflicts of interest.
_APPLICANT_ACTIONS = {"application.started"} | {
    f"application.{name}"
    for name in (
        "submit",
        "screen_out",
        "accept",
        "reviewed",
        "recommend",
        "not_fund",
        "open_notice",
        "award",
        "reject",
    )
}


def application_history(application: Application, *, for_applicant: bool = False, limit: int = 100) -> list:
    events: QuerySet = AuditEvent.objects.filter(
        subject_type=Application._meta.label_lower, subject_id=str(application.pk)
    ).select_related("actor")
    if for_applicant:
        events = events.filter(action__in=_APPLICANT_ACTIONS)
    rows = list(events[:limit])
    labels = dict(ApplicationStatus.choices)
    for event in rows:
        event.from_label = labels.get(event.from_state, event.from_state)
        event.to_label = labels.get(event.to_state, event.to_state)
    return rows


def home_card_part(ids: list[int]) -> dict[int, dict]:
    """Each organisation's applications and where they stand, for the portal's home."""
    parts: dict[int, dict] = {pk: {"applications": []} for pk in ids}
    for application in (
        Application.objects.filter(organisation_id__in=ids).select_related("call").order_by("-call__opens_at", "-pk")
    ):
        parts[application.organisation_id]["applications"].append(application)
    return parts

"""Every message the hub sends about its work, by event: who chooses how to receive it (its kind) and the
templates of its subject and body (``templates/notifications/<event>.subject.txt`` and ``.body.txt``).

Templates are rendered once per recipient language, inside ``translation.override``; their context holds
plain values and model instances (whose ``__str__`` and ``get_…_display`` then speak that language).
"""

from dataclasses import dataclass

from incubator.notifications.models import NotificationKind as K


@dataclass(frozen=True)
class Event:
    name: str
    kind: str  # the NotificationKind a recipient's preference is looked up by, unless the sender says otherwise

    @property
    def subject_template(self) -> str:
        return f"notifications/{self.name}.subject.txt"

    @property
    def body_template(self) -> str:
        return f"notifications/{self.name}.body.txt"


EVENTS = {
    event.name: event
    for event in (
        # Organisations and incubation
        Event("organisation.signed_up", K.OPERATIONS),
        Event("organisation.verified", K.STATUS),
        Event("incubation.applied", K.OPERATIONS),
        Event("incubation.changed", K.STATUS),
        # Filings and annual reports
        Event("filing.submitted", K.OPERATIONS),
        Event("filing.changed", K.DECISION),
        Event("annual_report.due", K.REMINDER),
        # Venture philanthropy: calls, applications, review, notice
        Event("application.changed", K.STATUS),
        Event("review.assigned", K.REVIEW),
        Event("review.conflict_declared", K.OPERATIONS),
        Event("review.withdrawn", K.REVIEW),
        Event("application.partial_offered", K.DECISION),
        Event("application.partial_answered", K.OPERATIONS),
        Event("call.changed", K.STATUS),
        Event("objection.lodged", K.OPERATIONS),
        Event("objection.resolved", K.DECISION),
        # Funded projects
        Event("project.changed", K.STATUS),
        Event("project.assigned", K.REVIEW),
        Event("installment.released", K.DECISION),
        Event("report.submitted", K.OPERATIONS),
        Event("visit.recorded", K.STATUS),
        Event("rectification.required", K.DECISION),
        Event("rectification.answered", K.OPERATIONS),
        Event("rectification.returned", K.DECISION),
        Event("rectification.overdue", K.REMINDER),
        Event("final_report.due", K.REMINDER),
        Event("final_report.overdue", K.OPERATIONS),
        Event("final_report.returned", K.DECISION),
        # Capacity building: sent to participants at the address they gave (no preference: they have no account)
        Event("course.enrolled", K.STATUS),
        Event("course.offer", K.DECISION),
        Event("course.offer_expired", K.STATUS),
        Event("course.enrolment_cancelled", K.STATUS),
        Event("course.session_cancelled", K.DECISION),
        Event("course.reminder", K.REMINDER),
        # The daily digest that collects the messages a person chose to receive that way
        Event("digest", K.STATUS),
    )
}


def get_event(name: str) -> Event:
    try:
        return EVENTS[name]
    except KeyError:
        raise LookupError(f"No notification event {name!r}: declare it in incubator/notifications/events.py") from None

"""The one reminder ladder: before something falls due, an organisation is reminded at each threshold it
reaches (e.g. 30, 7 and 1 days before), once; after the date, once more as overdue. Filings' annual reports and
projects' final reports use it; so will courses."""

import datetime

from incubator.notifications.rendering import render
from incubator.notifications.services import notify
from incubator.orgs.models import Organisation, Reminder
from incubator.orgs.selectors import members_of

OVERDUE = "overdue"


def rung(*, due_on: datetime.date, today: datetime.date, days_before: tuple[int, ...]) -> str | None:
    """The step of the ladder reached today: ``"overdue"``, the threshold (as text, e.g. ``"7"``), or None
    while nothing is due yet. The nearest threshold at or above the days left, so a job that missed a day
    still reminds once."""
    days_left = (due_on - today).days
    if days_left < 0:
        return OVERDUE
    if days_left <= max(days_before):
        return str(min(d for d in days_before if d >= days_left))
    return None


def remind(*, organisation: Organisation, key: str, event: str, context: dict, due_on: datetime.date) -> bool:
    """Show the reminder in the organisation's portal and e-mail its members, unless ``key`` was already sent
    (jobs run twice or are retried). The portal's copy is in the hub's language; each e-mail in its reader's."""
    if Reminder.objects.filter(organisation=organisation, key=key).exists():
        return False  # sent on an earlier run: the daily job renders nothing for it
    _subject, message = render(event, context)
    _reminder, created = Reminder.objects.get_or_create(
        organisation=organisation, key=key, defaults={"message": message[:300], "due_on": due_on}
    )
    if created:
        notify(event, to=members_of(organisation), context=context)
    return created

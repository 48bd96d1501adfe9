"""Sending: ``notify`` renders an event for each recipient in their language and delivers it as they chose
(immediately, in the daily digest, or not at all). Decisions are legally required notices: always immediate.

``notify`` waits for the surrounding transaction to commit (nobody is told of what was rolled back); tasks are
queued from the current schema, so tenant-schemas-celery sends them from the same hub.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from incubator.notifications.events import get_event
from incubator.notifications.models import REQUIRED_KINDS, Delivery, NotificationPreference, PendingDigestItem
from incubator.notifications.rendering import language_of, render
from incubator.notifications.tasks import send_notification, send_to_address

__all__ = ["language_of", "notify", "notify_address", "render"]


def notify(event: str, *, to: Iterable, context: dict, kind: str | None = None) -> None:
    """Tell ``to`` (users) about ``event`` once the current transaction commits. ``kind`` overrides the
    event's preference kind, e.g. a state change that is a decision for the applicant, news for staff."""
    recipients = list({user.pk: user for user in to if user is not None and user.pk}.values())
    if not recipients:
        return
    transaction.on_commit(lambda: _send(event, recipients, context, kind or get_event(event).kind))


def _send(event: str, recipients: list, context: dict, kind: str) -> int:
    chosen = dict(
        NotificationPreference.objects.filter(user__in=recipients, kind=kind).values_list("user_id", "delivery")
    )
    rendered: dict[str, tuple[str, str]] = {}
    sent = 0
    for user in recipients:
        delivery = Delivery.IMMEDIATE if kind in REQUIRED_KINDS else chosen.get(user.pk, Delivery.IMMEDIATE)
        if delivery == Delivery.NONE:
            continue
        language = language_of(user)
        if language not in rendered:
            rendered[language] = render(event, context, language=language)
        subject, body = rendered[language]
        if delivery == Delivery.DIGEST:
            PendingDigestItem.objects.create(user_id=user.pk, subject=subject[:300], body=body)
            continue
        # One task per recipient: a retry after an SMTP failure re-sends to that person only.
        send_notification.apply_async(args=[[user.pk], subject, body], headers={"_schema_name": connection.schema_name})
        sent += 1
    return sent


def notify_address(event: str, *, address: str, language: str, context: dict) -> None:
    """Tell someone without an account, at the e-mail address they gave, in the language they used."""

    def send():
        subject, body = render(event, context, language=language)
        send_to_address.apply_async(args=[address, subject, body], headers={"_schema_name": connection.schema_name})

    transaction.on_commit(send)

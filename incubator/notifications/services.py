"""Sending: ``notify`` renders an event for each recipient in their language and delivers it as they chose
(immediately, in the daily digest, or not at all). Decisions are legally required notices: always immediate.

``notify`` waits for the surrounding transaction to commit (nobody is told of what was rolled back); tasks are
queued from the current schema, so tenant-schemas-celery sends them from the same hub.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import translation

from incubator.notifications.events import get_event
from incubator.notifications.models import REQUIRED_KINDS, Delivery, NotificationPreference, PendingDigestItem


def language_of(user) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def render(event: str, context: dict, *, language: str | None = None) -> tuple[str, str]:
    """The subject (one line) and body of an event, in ``language`` (the hub's default if none)."""
    declared = get_event(event)
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(declared.subject_template, context).split())
        body = render_to_string(declared.body_template, context).strip()
    return subject, body


def notify(event: str, *, to: Iterable, context: dict, kind: str | None = None) -> None:
    """Tell ``to`` (users) about ``event`` once the current transaction commits. ``kind`` overrides the
    event's preference kind, e.g. a state change that is a decision for the applicant, news for staff."""
    recipients = list({user.pk: user for user in to if user is not None and user.pk}.values())
    if not recipients:
        return
    transaction.on_commit(lambda: _send(event, recipients, context, kind or get_event(event).kind))


def _send(event: str, recipients: list, context: dict, kind: str) -> int:
    from incubator.notifications.tasks import send_notification

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


def deliver(*, user_ids: list[int], subject: str, body: str) -> int:
    """Send one rendered message to each active user of the current hub (the task's work)."""
    from django.contrib.auth import get_user_model

    hub = connection.tenant
    recipients = get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("email", flat=True)
    footer = f"\n\n— {hub.name} {hub.primary_url('/')}"
    return send_mass_mail([(subject, body + footer, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients])


def send_digests() -> int:
    """One e-mail per person with everything collected for their digest (daily, per hub)."""
    from django.contrib.auth import get_user_model

    from incubator.notifications.tasks import send_notification

    sent = 0
    with transaction.atomic():
        items = list(PendingDigestItem.objects.select_for_update(skip_locked=True).order_by("user_id", "created_at"))
        by_user: dict[int, list] = {}
        for item in items:
            by_user.setdefault(item.user_id, []).append(item)
        people = get_user_model().objects.in_bulk(list(by_user))
        for user_id, entries in by_user.items():
            subject, body = render(
                "digest", {"count": len(entries), "items": entries}, language=language_of(people.get(user_id))
            )
            transaction.on_commit(
                lambda u=user_id, s=subject, b=body: send_notification.apply_async(
                    args=[[u], s, b], headers={"_schema_name": connection.schema_name}
                )
            )
            sent += 1
        PendingDigestItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    return sent

"""The notification tasks. They run in the schema of the hub that queued them (tenant-schemas-celery)."""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import connection, transaction

from incubator.notifications.models import PendingDigestItem
from incubator.notifications.rendering import language_of, render


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_notification(user_ids: list[int], subject: str, body: str) -> int:
    """Send one rendered message to each active user of the hub that queued it; returns how many were sent."""
    hub = connection.tenant
    recipients = get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("email", flat=True)
    footer = f"\n\n— {hub.name} {hub.primary_url('/')}"
    return send_mass_mail([(subject, body + footer, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients])


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_to_address(address: str, subject: str, body: str) -> int:
    """Send one rendered message to someone without an account (e.g. a resident who objected)."""
    hub = connection.tenant
    footer = f"\n\n— {hub.name} {hub.primary_url('/')}"
    return send_mass_mail([(subject, body + footer, settings.DEFAULT_FROM_EMAIL, [address])])


@shared_task
def send_digests() -> int:
    """Daily, per hub: one e-mail per person with everything collected for their digest, in their language."""
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

"""E-mail to people of the current hub, each as they chose: immediately, in a daily digest, or not at all.

Call from ``transaction.on_commit`` callbacks (never inside a transaction that may roll back). Tasks are
queued from the current schema, so tenant-schemas-celery runs them in the same hub. Decisions are
legally required notices: they always go out immediately.
"""

from django.db import connection


def notify_users(users, subject: str, body: str, *, kind: str = "status") -> int:
    from incubator.accounts.models import REQUIRED_KINDS, NotificationPreference, PendingDigestItem
    from incubator.accounts.tasks import send_notification

    ids = [user.pk for user in users]
    chosen = dict(NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "delivery"))
    sent = 0
    for user_id in ids:
        delivery = "immediate" if kind in REQUIRED_KINDS else chosen.get(user_id, "immediate")
        if delivery == "none":
            continue
        if delivery == "digest":
            PendingDigestItem.objects.create(user_id=user_id, subject=str(subject), body=str(body))
            continue
        # One task per recipient: a retry after an SMTP failure re-sends to that person only.
        send_notification.apply_async(
            args=[[user_id], str(subject), str(body)], headers={"_schema_name": connection.schema_name}
        )
        sent += 1
    return sent


def send_digests() -> int:
    """One e-mail per person with everything collected for their digest (daily, per hub)."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from incubator.accounts.models import PendingDigestItem
    from incubator.accounts.tasks import send_notification

    sent = 0
    with transaction.atomic():
        items = list(PendingDigestItem.objects.select_for_update(skip_locked=True).order_by("user_id", "created_at"))
        by_user: dict[int, list] = {}
        for item in items:
            by_user.setdefault(item.user_id, []).append(item)
        for user_id, entries in by_user.items():
            body = "\n\n".join(f"• {e.subject}\n{e.body}" for e in entries)
            subject = _("Your daily digest: %(count)d messages") % {"count": len(entries)}
            transaction.on_commit(
                lambda u=user_id, s=subject, b=body: send_notification.apply_async(
                    args=[[u], s, b], headers={"_schema_name": connection.schema_name}
                )
            )
            sent += 1
        PendingDigestItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    return sent

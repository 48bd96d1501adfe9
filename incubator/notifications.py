"""E-mail to people of the current hub, sent by the Celery worker.

Call from ``transaction.on_commit`` callbacks (never inside a transaction that may roll back). The
task is queued from the current schema, so tenant-schemas-celery runs it in the same hub.
"""

from django.db import connection


def notify_users(users, subject: str, body: str) -> int:
    from incubator.accounts.tasks import send_notification

    ids = [user.pk for user in users]
    # One task per recipient: a retry after an SMTP failure re-sends to that person only.
    for user_id in ids:
        send_notification.apply_async(
            args=[[user_id], str(subject), str(body)], headers={"_schema_name": connection.schema_name}
        )
    return len(ids)

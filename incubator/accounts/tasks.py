from smtplib import SMTPException

from celery import shared_task
from django.db import connection, transaction

from incubator.accounts import services


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_welcome_email(user_id: int) -> str:
    """Runs in the hub's schema that queued it (tenant-schemas-celery); returns that schema's name."""
    services.send_welcome_email(user_id=user_id)
    return connection.schema_name


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_account_email(user_id: int, kind: str) -> bool:
    """A message about the person's own account (sign-up confirmation, address already registered, a link to
    choose a new password)."""
    return services.send_account_email(user_id=user_id, kind=kind)


def queue_account_email(user_id: int, kind: str) -> None:
    """Send it once the current transaction commits, from a worker in this hub's schema."""
    schema = connection.schema_name
    transaction.on_commit(
        lambda: send_account_email.apply_async(args=[user_id, kind], headers={"_schema_name": schema})
    )

from smtplib import SMTPException

from celery import shared_task
from django.db import connection

from incubator.accounts import services


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_welcome_email(user_id: int) -> str:
    """Runs in the hub's schema that queued it (tenant-schemas-celery); returns that schema's name."""
    services.send_welcome_email(user_id=user_id)
    return connection.schema_name


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_account_email(user_id: int, kind: str) -> bool:
    """A message about the person's own account (sign-up confirmation, address already registered)."""
    return services.send_account_email(user_id=user_id, kind=kind)

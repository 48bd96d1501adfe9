from smtplib import SMTPException

from config.celery import app
from incubator.notifications import services


@app.task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_notification(user_ids: list[int], subject: str, body: str) -> int:
    """Send one message to each active user of the hub that queued it; returns how many were sent."""
    return services.deliver(user_ids=user_ids, subject=subject, body=body)


@app.task
def send_digests() -> int:
    """Daily, per hub: each person's digest of the messages they chose to receive that way."""
    return services.send_digests()

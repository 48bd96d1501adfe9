from celery import shared_task

from incubator.filings import services


@shared_task
def send_due_reminders() -> dict:
    """Daily, per hub: reminders before annual reports fall due, overdue flags after."""
    return services.send_due_reminders()

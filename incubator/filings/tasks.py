from config.celery import app
from incubator.filings import services


@app.task
def send_due_reminders() -> dict:
    """Daily, per hub: reminders before annual reports fall due, overdue flags after."""
    return services.send_due_reminders()

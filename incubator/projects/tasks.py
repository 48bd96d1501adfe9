from celery import shared_task

from incubator.projects import services


@shared_task
def final_report_reminders() -> dict:
    """Daily, per hub: ended projects ask for their final report; reminders before it is due, a flag after."""
    return services.final_report_reminders()


@shared_task
def flag_overdue_rectifications() -> int:
    """Daily, per hub: rectifications past their deadline without an answer are flagged."""
    return services.flag_overdue_rectifications()

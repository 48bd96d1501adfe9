from celery import shared_task

from incubator.courses import services


@shared_task
def expire_offers() -> int:
    """Every few minutes, per hub: waitlist offers past their time pass to the next person waiting."""
    return services.expire_offers()


@shared_task
def send_reminders() -> int:
    """Every quarter of an hour, per hub: the day-before and two-hours-before reminders of sessions."""
    return services.send_reminders()

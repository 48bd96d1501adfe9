from celery import shared_task

from incubator.courses import services


@shared_task
def expire_offers() -> int:
    """Every few minutes, per hub: waitlist offers past their time pass to the next person waiting."""
    return services.expire_offers()

from celery import shared_task

from incubator.funding import services


@shared_task
def close_due_calls() -> int:
    """Every few minutes, per hub: calls whose deadline has passed close, and late submissions fail."""
    return services.close_due_calls()


@shared_task
def close_notices() -> dict:
    """Daily, per hub: notice periods that have ended award what no open objection holds up."""
    return services.close_notices()

from celery import shared_task

from incubator.orgs import services


@shared_task
def flag_inactive_organisations() -> int:
    """Daily, per hub (beat sends it to every live hub's schema)."""
    return services.flag_inactive_organisations()

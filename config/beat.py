"""Celery beat's scheduler: per-hub jobs go to real hubs only, never to the clone template."""

from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler


class HubScheduler(TenantAwarePersistentScheduler):
    @classmethod
    def get_queryset(cls):
        from tenants.models import Hub

        return Hub.objects.live()

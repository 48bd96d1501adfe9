"""The Celery application. Tasks carry their hub's schema (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("hubs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

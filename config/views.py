"""Views shared by the platform and every hub: health, media of the current hub."""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """Prove the app reaches its database, its cache and (with ?deep=1) a Celery worker."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    cache.set("health", schema, 10)
    figures = {
        "schema": schema,
        "database": "ok",
        "cache": "ok" if cache.get("health") == schema else "stale",
    }
    if request.GET.get("deep"):
        from config.celery import app

        replies = app.control.ping(timeout=2.0)
        figures["workers"] = len(replies)
    return JsonResponse(figures)


def hub_media(request, schema, path):
    """Serve an upload only through its own hub's host: the schema in the URL must be the host's."""
    if schema != connection.schema_name:
        raise Http404
    root = (Path(settings.MEDIA_ROOT) / schema).resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    content_type, _encoding = mimetypes.guess_type(target.name)
    response = FileResponse(open(target, "rb"), content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response

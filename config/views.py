"""Views shared by the platform and every hub: health, media of the current hub."""

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache

from incubator.files import safe_file_response


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
        if not _may_look_deep(request):
            figures["workers"] = None
            figures["error"] = "deep checks need the health token"
            return JsonResponse(figures, status=403)
        figures["workers"] = _workers()
    return JsonResponse(figures)


def _may_look_deep(request) -> bool:
    """The deep check holds a request for up to 2 s: it is for the operations team, not for anyone. The token
    (``Authorization: Bearer …``) or a request from the machine itself (no proxy in between) may ask."""
    token = settings.HEALTH_TOKEN
    if token and constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return True
    local = request.META.get("REMOTE_ADDR") in {"127.0.0.1", "::1"}
    return local and "HTTP_X_FORWARDED_FOR" not in request.META


def _workers() -> int:
    """Workers answering a ping; one ping at a time for all callers, its answer kept for a few seconds."""
    from config.celery import app

    known = cache.get("health:workers")
    if known is not None:
        return known
    if not cache.add("health:workers:asking", 1, 5):
        return cache.get("health:workers", 0)
    try:
        workers = len(app.control.ping(timeout=2.0))
        cache.set("health:workers", workers, 3)
    finally:
        cache.delete("health:workers:asking")
    return workers


def floor(request):
    """The cheapest page a hub's host can serve, through the whole middleware stack: the bench's floor."""
    return HttpResponse("ok", content_type="text/plain")


# Never served as plain media: private files go through views that check who asks, and Wagtail
# documents through Wagtail's serve view, which applies collection privacy.
PRIVATE_PREFIXES = ("private/", "documents/")


def hub_media(request, schema, path):
    """Serve a public upload (images) only through its own hub's host: the URL's schema must be the host's.

    Privacy is decided on the path as it resolves on disk, never on the raw URL: ``./private/``,
    ``%2e/documents/`` or ``x/../private/`` would otherwise step around a prefix check. Any dot or empty
    segment is refused outright too, since no stored name has one.
    """
    segments = path.split("/")
    if schema != connection.schema_name or any(part in {"", ".", ".."} or "\\" in part for part in segments):
        raise Http404
    root = (Path(settings.MEDIA_ROOT) / schema).resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    if target.relative_to(root).as_posix().startswith(PRIVATE_PREFIXES):
        raise Http404
    return safe_file_response(open(target, "rb"), target.name)

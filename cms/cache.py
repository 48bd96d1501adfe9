"""Full-page cache of the public showcase: per hub, per language, invalidated when the hub's data changes.

What is cached: the HTML of Wagtail's page view (URL name ``wagtail_serve``, RoutablePageMixin sub-routes
included) for anonymous GETs. HEAD is served from the cache but never fills it. Nothing else is cached:
not a visitor with a session cookie (possibly signed in: bypassed without reading the session), not a
message cookie or an Authorization header, not a Wagtail preview, not a response that is not a plain
200 HTML page, sets a cookie, writes the session, says ``private``/``no-cache``/``no-store`` (Wagtail
says so for pages under view restrictions) or varies on a header the key does not hold.

Query strings: only the parameters in ``SHOWCASE_CACHE_QUERY_PARAMS`` (default ``QUERY_PARAMS``: pagination
and the index pages' filters), each once, with a value the pages understand (``_query_values``: a page
number, a year, a street id, a known field or tier); they enter the key sorted. Any other parameter or
value (``q`` of /search/ and of the directory, tracking tags…) bypasses the cache: search results are not
worth storing, and a visitor cannot mint keys without bound.

The key: ``showcase:page:<schema>:<content version>:<language>:<digest of scheme, host, path, query>``,
itself prefixed with the schema by the cache's KEY_FUNCTION (django_tenants.cache.make_key). The content
version is one integer per hub (``showcase:version``), bumped on commit of any change to what the site shows,
so a change makes every page of that hub, and only that hub, a miss. What changes it: the services of the hub's
records say so (``incubator.showcase.changed()``: the transition runner and the services that publish, add or
edit public records), and the showcase's own content (pages, images, snippets, settings, any record edited in
Wagtail's admin, the hub's name) is watched by its signals (``connect()``). Entries also
expire after ``SHOWCASE_CACHE_SECONDS`` (default 300, 0 switches the cache off): calls close at their
deadline and notice periods end by date without any write, and the site shows it within that time.

CSRF: showcase pages carry no token (their forms use GET; the language switch posts to a CSRF-exempt view).
A page that asks for one (``get_token``, ``{% csrf_token %}``) holds one visitor's secret: it is never stored.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import cc_delim_re
from django_tenants.utils import get_public_schema_name, schema_context

logger = logging.getLogger(__name__)

HEADER = "X-Showcase-Cache"
VERSION_KEY = "showcase:version"
SERVE_URL_NAME = "wagtail_serve"
CSRF_FIELD = b'name="csrfmiddlewaretoken"'
# Pagination and the index pages' filters (cms/models.py); anything else, e.g. the directory's ``q``, bypasses.
QUERY_PARAMS = ("page", "field", "street", "year", "tier")
_QUERY_VALUE = re.compile(r"^[\w-]{0,32}$")
_UNCACHEABLE_CONTROL = {"private", "no-cache", "no-store"}
# The key holds the language (chosen by cookie, not Accept-Language) and handles cookies itself.
_VARY_UNDERSTOOD = {"cookie", "accept-language"}
MESSAGES_COOKIE = "messages"
_NOT_STORED_HEADERS = {"set-cookie", "content-length"}


def _cache():
    return caches[getattr(settings, "SHOWCASE_CACHE_ALIAS", "default")]


def cache_seconds() -> int:
    return int(getattr(settings, "SHOWCASE_CACHE_SECONDS", 300))


# --- The content version of a hub --------------------------------------------------------------------


def content_version() -> int:
    """The current hub's content version (the schema comes from the cache's key function)."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        # First use, or evicted: start from the clock, so no entry stored under an earlier value is reused.
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


def _fresh_version() -> int:
    return int(time.time() * 1000)


def bump(schema: str | None = None) -> None:
    """Make every cached page of one hub stale (``schema``, default the current one). Never raises: a failed
    bump costs freshness for at most SHOWCASE_CACHE_SECONDS, never the change that caused it."""
    schema = schema or connection.schema_name
    try:
        if schema == connection.schema_name:
            _incr()
        else:
            with schema_context(schema):
                _incr()
    except Exception:  # noqa: BLE001 - the cache being down must not break a committed change
        logger.exception("could not bump the showcase cache version of %s", schema)


def _incr() -> None:
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # missing: a fresh clock-based value is newer than any the key held before
        if not cache.add(VERSION_KEY, _fresh_version(), timeout=None):
            cache.incr(VERSION_KEY)


def bump_on_commit(schema: str | None = None) -> None:
    """Bump the hub's version once the current transaction commits (at once outside a transaction).

    A rolled-back change bumps nothing; a change bumps after it is visible, so a page rendered from the
    old data is stored under the old version, which nobody reads any more. One bump per hub per
    transaction, however many rows it writes.
    """
    schema = schema or connection.schema_name
    if not schema or schema == get_public_schema_name() or has_pending_change(schema):
        return

    def run():
        run.done = True
        bump(schema)

    run.showcase_schema = schema
    run.done = False
    try:
        transaction.on_commit(run)
    except TransactionManagementError:  # manual transaction management: no commit hook, bump now
        run()


def has_pending_change(schema: str) -> bool:
    """Whether this connection holds uncommitted changes to the hub's showcase data (a bump waiting for
    the commit). Never so for a request in production; in a test, whose transaction is rolled back
    instead of committed, it keeps pages rendered from uncommitted rows out of the shared cache."""
    for _sids, func, _robust in connection.run_on_commit:
        if getattr(func, "showcase_schema", None) == schema and not func.done:
            return True
    return False


# --- What invalidates ----------------------------------------------------------------------------------

# The showcase's own content: pages, their images and documents, tags, snippets and settings (cms's models).
OWN_APPS = ("cms", "wagtailcore", "wagtailimages", "wagtaildocs", "taggit")
# Rows written by rendering a page (renditions) or by merely opening the back office, or often and invisibly
# (draft revisions, workflow steps, comments): no visible change.
IGNORED_MODELS = (
    "wagtailimages.rendition",
    "wagtailcore.pagesubscription",
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.referenceindex",
    "wagtailcore.revision",
    "wagtailcore.workflowstate",
    "wagtailcore.taskstate",
    "wagtailcore.comment",
    "wagtailcore.commentreply",
)


def _own(model) -> bool:
    opts = model._meta
    return opts.app_label in OWN_APPS and opts.label_lower not in IGNORED_MODELS


def _on_own_change(sender, **kwargs):
    if _own(sender):
        bump_on_commit()


def _on_m2m_change(sender, action, **kwargs):
    if action.startswith("post_") and _own(sender):
        bump_on_commit()


def _on_page_event(sender, **kwargs):
    bump_on_commit()


def _on_admin_edit(sender, instance, created=False, **kwargs):
    # Records edited in Wagtail's generic admin views (streets, communities, cohorts, calls in draft…) leave a
    # log entry: any such edit may change what the showcase shows.
    if created:
        bump_on_commit()


def _on_showcase_changed(sender, schema=None, **kwargs):
    bump_on_commit(schema)


def _on_hub_change(sender, instance, **kwargs):
    # The hub's name heads every page; hubs live in the public schema, so name the hub's schema.
    bump_on_commit(instance.schema_name)


def connect() -> None:
    """Called once from CmsConfig.ready(). The hub's records (organisations, calls, projects…) say themselves
    when the showcase changed (``incubator.showcase``); the showcase watches only its own content."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import ModelLogEntry
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from incubator.showcase import showcase_changed

    showcase_changed.connect(_on_showcase_changed, dispatch_uid="showcase_cache_changed")
    post_save.connect(_on_own_change, dispatch_uid="showcase_cache_save")
    post_delete.connect(_on_own_change, dispatch_uid="showcase_cache_delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="showcase_cache_m2m")
    post_save.connect(_on_admin_edit, sender=ModelLogEntry, dispatch_uid="showcase_cache_admin_edit")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_on_page_event, dispatch_uid=f"showcase_cache_{id(signal)}")
    hub = apps.get_model(settings.TENANT_MODEL)
    post_save.connect(_on_hub_change, sender=hub, dispatch_uid="showcase_cache_hub_save")
    post_delete.connect(_on_hub_change, sender=hub, dispatch_uid="showcase_cache_hub_delete")


# --- The middleware ---------------------------------------------------------------------------------


def page_key(request, version: int, query: str) -> str:
    """The entry's key: hub (explicitly, besides the key function's prefix), version, language, URL."""
    where = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:40]
    return f"showcase:page:{connection.schema_name}:{version}:{translation.get_language()}:{digest}"


@functools.cache
def _query_values() -> dict[str, re.Pattern]:
    """What each cacheable parameter may hold: values the pages understand, so a visitor cannot mint
    entries without bound (``?page=abc``, ``?page=abd``…): anything else bypasses the cache."""
    from incubator.funding.models import CallField
    from incubator.orgs.models import ServiceField, Tier

    def one_of(values):
        return re.compile("^(?:" + "|".join(re.escape(v) for v in values) + ")$")

    return {
        "page": re.compile(r"^[1-9][0-9]{0,3}$"),
        "year": re.compile(r"^(?:19|20)[0-9]{2}$"),
        "street": re.compile(r"^[1-9][0-9]{0,8}$"),
        "field": one_of(CallField.values + ServiceField.values),  # projects' and organisations' fields
        "tier": one_of(Tier.values),
    }


def _normalised_query(request) -> str | None:
    """The sorted whitelisted parameters, "" without a query, None when the query is not cacheable."""
    if not request.META.get("QUERY_STRING"):
        return ""
    allowed = getattr(settings, "SHOWCASE_CACHE_QUERY_PARAMS", QUERY_PARAMS)
    patterns = _query_values()
    parts = []
    for name, values in request.GET.lists():
        if name not in allowed or len(values) != 1 or not patterns.get(name, _QUERY_VALUE).match(values[0]):
            return None
        parts.append(f"{name}={values[0]}")
    return "&".join(sorted(parts))


class ShowcaseCacheMiddleware:
    """Last in MIDDLEWARE: the hub, the language, the CSRF cookie and lazy session/user are set up by the
    middleware before it, and everything they add on the way out (CSRF cookie, Content-Language, Vary,
    security headers) is added to hits and misses alike. Looks up in ``process_view``, once the URL is
    resolved, so a hit skips the view and its queries; stores on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "_showcase_cache", None)
        if state is None:
            return response
        if state == "miss":
            key = request._showcase_cache_key
            if request.method == "GET" and (entry := _entry(request, response)) is not None:
                try:
                    _cache().set(key, entry, cache_seconds())
                except Exception:  # noqa: BLE001 - a cache outage serves pages uncached
                    logger.exception("could not store a showcase page")
        response.headers[HEADER] = state
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.url_name != SERVE_URL_NAME or cache_seconds() <= 0:
            return None
        if _bypass(request) or has_pending_change(connection.schema_name):
            request._showcase_cache = "bypass"
            return None
        query = _normalised_query(request)
        if query is None:
            request._showcase_cache = "bypass"
            return None
        try:
            key = page_key(request, content_version(), query)
            entry = _cache().get(key)
        except Exception:  # noqa: BLE001 - a cache outage serves pages uncached
            logger.exception("showcase cache unavailable")
            return None
        if entry is None:
            request._showcase_cache = "miss"
            request._showcase_cache_key = key
            return None
        request._showcase_cache = "hit"
        return _response(request, entry)


def _bypass(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return True
    if getattr(request, "is_preview", False) or getattr(request, "is_dummy", False):
        return True
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
        return True  # possibly signed in, or has messages waiting: personal, and not worth a session read
    return "HTTP_AUTHORIZATION" in request.META


def _entry(request, response) -> tuple | None:
    """What to store for this response, or None when it must not be shared."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    control = {part.split("=")[0].strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    if control & _UNCACHEABLE_CONTROL:
        return None
    vary = {part.strip().lower() for part in cc_delim_re.split(response.get("Vary", "")) if part.strip()}
    if vary - _VARY_UNDERSTOOD:
        return None
    session = getattr(request, "session", None)
    if (session is not None and session.modified) or has_pending_change(connection.schema_name):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    # A page that asked for a CSRF token holds this visitor's token (so their secret): never shared. Django's
    # get_token() marks the request so that the CSRF middleware sends the cookie on the way out.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or CSRF_FIELD in response.content:
        return None
    # The common middleware sets Content-Length again on the way out.
    headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED_HEADERS]
    return (headers, response.content)


def _response(request, entry) -> HttpResponse:
    headers, body = entry
    response = HttpResponse(body)
    for name, value in headers:
        response.headers[name] = value
    return response

"""Middleware of our own that every host runs through."""

from django.db import connection
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.contrib.redirects.middleware import RedirectMiddleware


class HubRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects live in each hub's schema; the platform's host has no such table, so there a
    404 stays a 404 instead of becoming a 500 on the missing relation."""

    def process_response(self, request, response):
        if connection.schema_name == "public":
            return response
        return super().process_response(request, response)


class RefuseNulMiddleware:
    """No text column can hold a NUL character (PostgreSQL refuses it with an error), and no person types
    one: a request carrying one in its path, query, form fields or file names is refused here, with a
    message, before any view or library hands it to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _carries_nul(request):
            return bad_request_page(
                request, _("The request contained a character that cannot be stored (a NUL byte). Please remove it.")
            )
        return None


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _carries_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        sources.append(request.POST)
        names = [f.name or "" for files in request.FILES.lists() for f in files[1]]
        if any("\x00" in name for name in names):
            return True
    for query in sources:
        for key, values in query.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


def bad_request_page(request, message: str, status: int = 400):
    return render(request, "400.html", {"message": message}, status=status)


# Our own pages run no inline script and load nothing from other hosts: scripts only from our static files.
# Inline styles stay allowed (the templates carry their small stylesheets inline; a style cannot run code).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
# Wagtail's admin (and Django's, on the platform host) initialise some widgets with inline scripts (date
# pickers, inline panels) and its choosers evaluate returned scripts; only signed-in staff reach it.
ADMIN_SCRIPT_SRC = "'self' 'unsafe-inline' 'unsafe-eval'"
ADMIN_PREFIX = "/admin/"


def _header(policy: dict) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


# Built once: the middleware runs on every response.
OUR_POLICY = _header(CONTENT_SECURITY_POLICY)
ADMIN_POLICY = _header({**CONTENT_SECURITY_POLICY, "script-src": ADMIN_SCRIPT_SRC})


def content_security_policy(path: str) -> str:
    return ADMIN_POLICY if path.startswith(ADMIN_PREFIX) else OUR_POLICY


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every HTML page, whichever view or library rendered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.path)
        return response

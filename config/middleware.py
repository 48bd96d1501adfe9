"""Middleware of our own that every host runs through."""

from django.db import connection
from wagtail.contrib.redirects.middleware import RedirectMiddleware


class HubRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects live in each hub's schema; the platform's host has no such table, so there a
    404 stays a 404 instead of becoming a 500 on the missing relation."""

    def process_response(self, request, response):
        if connection.schema_name == "public":
            return response
        return super().process_response(request, response)

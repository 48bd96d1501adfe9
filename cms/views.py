"""The showcase site's Django views: search, robots.txt, the sitemap and the language switch."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language
from wagtail.contrib.sitemaps.views import sitemap

from cms import search as site_search
from cms.models import hub_name_for

RESULTS_PER_PAGE = 20


@require_GET
def search(request):
    """Search the hub's public site; works for Chinese (substring matching, see ``cms.search``)."""
    query = request.GET.get("q", "").strip()[:200]
    results = site_search.search(query, request) if query else []
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "terms": site_search.terms_of(query),
            "results": page,
            "page_title": _("Search"),
            "meta_description": _("Search the site of %(hub)s.") % {"hub": hub_name_for(request)},
            "og_type": "website",
            "noindex": bool(query),
        },
    )


@require_GET
@cache_control(max_age=3600, public=True)
def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /portal/",
        "Disallow: /review/",
        "Disallow: /supervision/",
        "Disallow: /evaluation/",
        "Disallow: /appraisal/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# The showcase pages are the same for every anonymous visitor (cms.cache keeps them), so their language
# switch cannot carry a CSRF token. Choosing a language is not worth protecting: at worst a third-party
# site could switch a visitor's interface to the other language. Django's own set_language (/i18n/setlang/)
# stays CSRF-protected for the pages that have tokens.
set_language = csrf_exempt(require_POST(django_set_language))


urlpatterns = [
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots, name="robots"),
    path("search/", search, name="showcase_search"),
    path("language/", set_language, name="showcase_set_language"),
]

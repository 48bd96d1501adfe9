"""Site search that works for Chinese (/search/?q=…).

PostgreSQL's full-text search splits words on spaces and punctuation, so it finds nothing inside a Chinese
sentence ("防跌倒" in "老人居家防跌倒"). This search matches substrings instead (``icontains``), which is
exact for Chinese and fine for the few thousand records of a hub. Every whitespace-separated term must
match (anywhere in the record). What is searched, in the current hub's schema only:

- live, public Wagtail pages: title, search description, and the text Wagtail's database search backend
  keeps for the page in ``wagtailsearch_indexentry`` (``title_text``/``body_text``: the rich text and
  StreamField text of news pages, stripped of markup);
- calls (not drafts), public projects and listed organisations, through the same selectors the pages use.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from cms import selectors

MAX_TERMS = 8
MAX_TERM_LENGTH = 50
PER_KIND = 200
PROJECT_FIELDS = [
    "application__title",
    "application__problem",
    "application__activities",
    "application__organisation__name",
]  # a hub has far fewer matching records; this only bounds a pathological query


@dataclass
class Result:
    kind: str
    title: str
    url: str
    summary: str = ""


def terms_of(query: str) -> list[str]:
    """The distinct terms of a query; ``str.split`` also splits on the full-width space (U+3000)."""
    terms: list[str] = []
    for term in (query or "").split():
        term = term[:MAX_TERM_LENGTH]
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _all_terms(queryset, fields, terms):
    """Keep rows where every term occurs in at least one of the fields."""
    for term in terms:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term}) if isinstance(field, str) else field(term)
        queryset = queryset.filter(condition)
    return queryset


def _pages(terms, request):
    from wagtail.models import Page, get_page_models
    from wagtail.search.models import IndexEntry

    page_types = [ct.pk for ct in ContentType.objects.get_for_models(*get_page_models()).values()]

    def indexed_text(term):
        entries = IndexEntry.objects.filter(
            content_type_id__in=page_types, object_id=Cast(OuterRef("pk"), output_field=CharField())
        ).filter(Q(title_text__icontains=term) | Q(body_text__icontains=term))
        return Q(Exists(entries))

    pages = Page.objects.live().public().filter(depth__gt=1)
    pages = _all_terms(pages, ["title", "search_description", indexed_text], terms).order_by("path")
    results = []
    for page in pages.specific()[:PER_KIND]:
        url = page.get_url(request)
        if not url:
            continue
        summary = page.search_description or getattr(page, "summary", "")
        kind = _("News") if page.specific_class.__name__ == "NewsPage" else _("Page")
        results.append(Result(kind, getattr(page, "display_title", page.title), url, summary))
    return results


def search(query: str, request=None) -> list[Result]:
    """Everything public on this hub's site that matches every term of ``query``: pages, calls, projects,
    organisations, in that order. Empty for an empty query."""
    terms = terms_of(query)
    if not terms:
        return []
    sections = selectors.section_urls(request)
    results = _pages(terms, request)

    if "calls" in sections:
        calls = _all_terms(selectors.public_calls(), ["title", "description"], terms).order_by("-opens_at")
        results += [
            Result(_("Call for projects"), call.title, f"{sections['calls']}{call.pk}/", call.description)
            for call in calls[:PER_KIND]
        ]
    if "projects" in sections:
        projects = _all_terms(
            selectors.public_projects(),
            [
                "application__title",
                "application__problem",
                "application__activities",
                "application__organisation__name",
            ],
            terms,
        )
        results += [
            Result(
                _("Project"),
                project.application.title,
                f"{sections['projects']}{project.pk}/",
                f"{project.application.organisation.name} · {project.application.problem}",
            )
            for project in projects[:PER_KIND]
        ]
    if "organisations" in sections:
        organisations = _all_terms(selectors.listed_organisations(), ["name", "description", "resident_group"], terms)
        results += [
            Result(
                _("Organisation"),
                organisation.name,
                f"{sections['organisations']}?{urlencode({'q': organisation.name})}#organisation-{organisation.pk}",
                organisation.description,
            )
            for organisation in organisations[:PER_KIND]
        ]
    return results

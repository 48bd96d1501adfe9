"""``{% showcase_chrome as site %}``: what every showcase page shows around its content.

The hub's name, branding (logo, colours, contact), main menu and section links, read once per request.
Nothing depends on who is visiting.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from cms.models import hub_name_for
from cms.selectors import section_urls

register = template.Library()

LOGO_SPEC = "height-96"


def _menu(request, home_url: str) -> list[dict]:
    from wagtail.models import Page, Site

    from cms.models import MainMenu, is_chinese

    english = not is_chinese()
    menu = MainMenu.load(request_or_site=request)
    items = []
    for item in menu.items.select_related("link_page").order_by("sort_order"):
        page = item.link_page
        if page is not None and not page.live:
            continue
        url = page.get_url(request) if page is not None else item.link_url
        label = (item.label_en if english and item.label_en else "") or item.label
        if not label and page is not None:
            label = getattr(page.specific_deferred, "display_title", page.title)
        if url:
            items.append({"label": label, "url": url})
    if not items:
        site = Site.find_for_request(request)
        if site is not None:
            home = Page.objects.filter(pk=site.root_page_id).first()
            if home is not None:
                for page in home.get_children().live().in_menu().public().specific():
                    url = page.get_url(request)
                    if url:
                        items.append({"label": getattr(page, "display_title", page.title), "url": url})
    path = request.path
    for item in items:
        url = item["url"]
        item["active"] = url.startswith("/") and url != home_url and path.startswith(url)
    return items


@register.simple_tag(takes_context=True)
def showcase_chrome(context) -> dict:
    request = context.get("request")
    cached = getattr(request, "_showcase_chrome", None)
    if cached is not None:
        return cached
    from cms.models import SiteBranding

    branding = SiteBranding.load(request_or_site=request)
    logo = None
    if branding.logo_id:
        try:
            rendition = branding.logo.get_rendition(LOGO_SPEC)
        except Exception:  # a logo whose file went missing must not take the site down
            rendition = None
        if rendition is not None:
            logo = {
                "url": rendition.url,
                "absolute_url": request.build_absolute_uri(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
            }
    home_url = "/"
    chrome = {
        "name": hub_name_for(request) or _("Incubation hub"),
        "branding": branding,
        "logo": logo,
        "home_url": home_url,
        "menu": _menu(request, home_url),
        "sections": section_urls(request),
        "canonical": _canonical(request),
    }
    request._showcase_chrome = chrome
    return chrome


def _canonical(request) -> str:
    """The page's address without filters or tracking tags, but with its page number past the first: page 2
    of a list is a page of its own, not a copy of page 1."""
    url = request.build_absolute_uri(request.path)
    number = request.GET.get("page", "")
    return f"{url}?page={number}" if number.isdigit() and int(number) > 1 else url


@register.simple_tag(takes_context=True)
def og_image_url(context, page=None) -> str:
    """The absolute address of the page's own image (a news picture), or ""."""
    request = context.get("request")
    image = page.og_image() if page is not None and hasattr(page, "og_image") else None
    if image is None:
        return ""
    try:
        rendition = image.get_rendition("fill-1200x630")
    except Exception:
        return ""
    return request.build_absolute_uri(rendition.url)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (``page`` is dropped unless given)."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def money(value, decimals=2) -> str:
    """An amount in yuan with thousands separators, the way both Chinese and English documents write it."""
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)):,.{int(decimals)}f}"
    except (TypeError, ValueError, ArithmeticError):
        return str(value)

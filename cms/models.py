"""The hub's public showcase site (docs/architecture.md), one Wagtail tree per hub schema.

Page types: the home page with live figures, and one index page per public section (calls, projects,
organisations, courses, notices, news), each drawing its content from the hub's own records. Calls and
projects have sub-pages (``/calls/<pk>/``, ``/projects/<pk>/``) served by ``RoutablePageMixin`` so nothing is
copied into pages by hand. Branding and the main menu are Wagtail settings, edited in the hub's own admin.

Nothing here reads the visitor: Wagtail-served pages are the same for every anonymous visitor of a hub in a
given language (``cms.cache`` relies on it). Forms on these pages use GET; the objection form lives on the
Django view ``/notices/<pk>/``.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import connection, models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms import selectors

PER_PAGE = 12


def is_chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


class ShowcasePage(Page):
    """What every page of the showcase site has: an optional English title, its own meta description."""

    title_en = models.CharField(
        _("English title"),
        max_length=255,
        blank=True,
        help_text=_("Shown to visitors who chose English; the title is shown otherwise."),
    )

    content_panels = Page.content_panels + [FieldPanel("title_en")]
    search_fields = Page.search_fields + [index.SearchField("search_description")]
    # A generated description, used when the editor left the page's search description empty.
    default_description = _("The public site of %(hub)s.")
    og_type = "website"

    class Meta:
        abstract = True

    @property
    def display_title(self) -> str:
        return self.title_en if self.title_en and not is_chinese() else self.title

    def meta_description(self, hub_name: str) -> str:
        return self.search_description or str(self.default_description) % {"hub": hub_name}

    def page_title(self, hub_name: str) -> str:
        """The page's <title> (before the hub's name): its SEO title, or its title, in the visitor's language."""
        if self.title_en and not is_chinese():
            return self.title_en
        return self.seo_title or self.title

    def og_image(self):
        """An image standing for this page (an ``wagtailimages.Image``), or None for the hub's logo."""
        return None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        hub_name = hub_name_for(request)
        context.setdefault("page_title", self.page_title(hub_name))
        context.setdefault("meta_description", self.meta_description(hub_name))
        context.setdefault("og_type", self.og_type)
        return context

    def absolute(self, request, suffix: str = "") -> str:
        """This page's address (plus a sub-path) on the host that was asked, or on the Site's own host."""
        url = self.get_url(request) or "/"
        if request is not None and url.startswith("/"):
            return request.build_absolute_uri(url + suffix)
        return self.get_full_url(request) + suffix

    def get_sitemap_urls(self, request=None):
        # The host that was asked (with its port), not the Site's stored hostname, which is always port 80.
        return [{"location": self.absolute(request), "lastmod": self.last_published_at or self.first_published_at}]


def hub_name_for(request=None) -> str:
    """The hub's name in the visitor's language: its English name (branding) when chosen, else its name."""
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    name = getattr(tenant, "name", "") or ""
    if not is_chinese():
        branding = SiteBranding.load(request_or_site=request)
        return branding.name_en or name
    return name


def _paginate(request, items, per_page=PER_PAGE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _choice(request, name: str, allowed) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


class HomePage(ShowcasePage):
    """The root of a hub's public showcase site (首页): figures, brand projects, open calls, news."""

    intro = RichTextField(_("introduction"), blank=True)
    featured_count = models.PositiveSmallIntegerField(
        _("brand projects shown"), default=3, validators=[MaxValueValidator(12)]
    )
    news_count = models.PositiveSmallIntegerField(_("news items shown"), default=3, validators=[MaxValueValidator(12)])

    content_panels = ShowcasePage.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("featured_count"), FieldPanel("news_count")], heading=_("Home page sections")),
    ]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.CallIndexPage",
        "cms.ProjectIndexPage",
        "cms.OrganisationIndexPage",
        "cms.CourseIndexPage",
        "cms.NoticeIndexPage",
        "cms.NewsIndexPage",
        "cms.ContentPage",
    ]
    default_description = _("%(hub)s: the organisations it incubates, the community projects it funds, its calls.")

    class Meta:
        verbose_name = _("home page")

    def page_title(self, hub_name: str) -> str:
        # Provisioning names the home page after the hub; in English, the hub's English name.
        if not is_chinese() and not self.title_en:
            return hub_name
        return super().page_title(hub_name)

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        context.update(
            figures=selectors.home_figures(),
            featured=selectors.featured_projects(self.featured_count),
            open_calls=selectors.open_calls()[:3],
            news=latest_news(self.news_count),
        )
        return context


class ContentPage(ShowcasePage):
    """A plain page of the showcase site (about us, contact…)."""

    body = RichTextField(_("body"), blank=True)

    content_panels = ShowcasePage.content_panels + [FieldPanel("body")]
    search_fields = ShowcasePage.search_fields + [index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")


class SectionPage(ShowcasePage):
    """An index page: one per hub and section, directly under the home page."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = ShowcasePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    max_count = 1

    class Meta:
        abstract = True


class CallIndexPage(RoutablePageMixin, SectionPage):
    """/calls/: open and past calls for projects; /calls/<pk>/: a call's rules and the way to apply."""

    subpage_types: list[str] = []
    default_description = _("Calls for community projects of %(hub)s: rules, budgets, deadlines and how to apply.")

    class Meta:
        verbose_name = _("calls index page")

    @path("")
    def calls(self, request):

        return self.render(
            request,
            context_overrides={
                "open_calls": selectors.open_calls(),
                "past_calls": _paginate(request, selectors.past_calls()),
            },
        )

    @path("<int:pk>/")
    def call(self, request, pk):

        call = selectors.public_calls().filter(pk=pk).first()
        if call is None:
            raise Http404
        rules = selectors.call_rules(call)
        return self.render(
            request,
            template="cms/call_detail.html",
            context_overrides={
                "call": call,
                "rules": rules,
                "page_title": call.title,
                "meta_description": selectors.call_summary(call, rules),
                "og_type": "article",
            },
        )

    def get_sitemap_urls(self, request=None):

        urls = super().get_sitemap_urls(request)
        for call in selectors.public_calls().only("pk", "created_at"):
            urls.append({"location": self.absolute(request, f"{call.pk}/"), "lastmod": call.created_at})
        return urls


class ProjectIndexPage(RoutablePageMixin, SectionPage):
    """/projects/: the funded projects the hub shows; /projects/<pk>/: one project's public story."""

    subpage_types: list[str] = []
    default_description = _("Community projects funded by %(hub)s: what they did, for whom, and their results.")

    class Meta:
        verbose_name = _("projects index page")

    @path("")
    def projects(self, request):
        from incubator.funding.models import CallField

        options = selectors.project_filter_options()
        chosen = {
            "field": _choice(request, "field", dict(CallField.choices)),
            "street": _choice(request, "street", {str(street.pk) for street in options["streets"]}),
            "year": _choice(request, "year", {str(year) for year in options["years"]}),
        }
        projects = selectors.filter_projects(selectors.public_projects(), **chosen)
        return self.render(
            request,
            context_overrides={
                "projects": _paginate(request, projects),
                "options": options,
                "chosen": chosen,
                "filtered": any(chosen.values()),
            },
        )

    @path("<int:pk>/")
    def project(self, request, pk):
        from incubator.projects.public_selectors import project_story

        project = selectors.public_projects().filter(pk=pk).first()
        if project is None:
            raise Http404
        story = project_story(project)
        return self.render(
            request,
            template="cms/project_detail.html",
            context_overrides={
                **story,
                "page_title": project.application.title,
                "meta_description": selectors.project_summary(project, story),
                "og_type": "article",
            },
        )

    def get_sitemap_urls(self, request=None):

        urls = super().get_sitemap_urls(request)
        for project in selectors.public_projects().select_related(None).only("pk", "created_at"):
            urls.append({"location": self.absolute(request, f"{project.pk}/"), "lastmod": project.created_at})
        return urls


class OrganisationIndexPage(SectionPage):
    """/organisations/: the organisations that chose to be listed, by 1+n+x tier and field."""

    subpage_types: list[str] = []
    default_description = _("Social organisations working with %(hub)s, by 1+n+x tier and service field.")

    class Meta:
        verbose_name = _("organisations index page")

    def get_context(self, request, *args, **kwargs):
        from incubator.orgs.models import ServiceField, Tier

        context = super().get_context(request, *args, **kwargs)
        query = request.GET.get("q", "").strip()[:100]
        chosen = {
            "tier": _choice(request, "tier", dict(Tier.choices)),
            "field": _choice(request, "field", dict(ServiceField.choices)),
        }
        organisations = _paginate(
            request, selectors.filter_organisations(selectors.listed_organisations(), query=query, **chosen), 24
        )
        organisations.object_list = list(organisations.object_list)
        for organisation in organisations.object_list:
            organisation.field_labels = selectors.organisation_fields(organisation)
        context.update(
            organisations=organisations,
            tiers=Tier.choices,
            fields=ServiceField.choices,
            chosen=chosen,
            query=query,
            filtered=bool(query or any(chosen.values())),
        )
        return context


class CourseIndexPage(SectionPage):
    """/courses/: capacity-building courses (能力建设); an empty state until the hub runs courses here."""

    subpage_types: list[str] = []
    default_description = _("Capacity-building courses of %(hub)s for social organisations.")

    class Meta:
        verbose_name = _("courses index page")

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = selectors.upcoming_courses()
        return context


class NoticeIndexPage(SectionPage):
    """/notices/: the notice board (公示): funding decisions in their notice period, appraisal results.

    The notices themselves (with the objection form) and the appraisal results are Django views under
    /notices/<pk>/ and /notices/appraisals/…, matched before Wagtail's catch-all.
    """

    subpage_types: list[str] = []
    default_description = _("The notice board of %(hub)s: funding decisions open to objection, residents' appraisals.")

    class Meta:
        verbose_name = _("notice board page")

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        context.update(
            current_notices=selectors.current_notices(today),
            upcoming_notices=selectors.upcoming_notices(today),
            past_notices=selectors.past_notices(today)[:10],
            appraisals=selectors.recent_appraisals(10),
        )
        return context

    def get_sitemap_urls(self, request=None):
        """The board, then the notices and appraisal results it links to (Django views under /notices/)."""
        from incubator.projects.models import Project

        urls = super().get_sitemap_urls(request)
        today = timezone.localdate()
        for notice in selectors.published_notices(today).only("pk", "starts_on"):
            urls.append({"location": self.absolute(request, f"{notice.pk}/"), "lastmod": notice.starts_on})
        appraisals = list(
            Project.objects.filter(appraisal_published_at__isnull=False)
            .order_by("-appraisal_published_at", "-pk")
            .only("pk", "appraisal_published_at")
        )
        if appraisals:
            urls.append(
                {"location": self.absolute(request, "appraisals/"), "lastmod": appraisals[0].appraisal_published_at}
            )
        for project in appraisals:
            urls.append(
                {
                    "location": self.absolute(request, f"appraisals/{project.pk}/"),
                    "lastmod": project.appraisal_published_at,
                }
            )
        return urls


class NewsIndexPage(SectionPage):
    """/news/: the hub's news, newest first."""

    subpage_types = ["cms.NewsPage"]
    default_description = _("News of %(hub)s.")

    class Meta:
        verbose_name = _("news index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        context["news"] = _paginate(request, news)
        return context


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("attribution"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote.html"


class NewsPage(ShowcasePage):
    """A news item (新闻动态), edited in Wagtail."""

    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences for lists and search engines.")
    )
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("Heading"), form_classname="title", icon="title")),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"), icon="pilcrow")),
            ("image", ImageChooserBlock(label=_("Image"), icon="image")),
            ("quote", QuoteBlock()),
        ],
        verbose_name=_("body"),
        blank=True,
    )

    content_panels = ShowcasePage.content_panels + [FieldPanel("date"), FieldPanel("summary"), FieldPanel("body")]
    search_fields = ShowcasePage.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    og_type = "article"

    class Meta:
        verbose_name = _("news page")
        verbose_name_plural = _("news pages")

    def meta_description(self, hub_name: str) -> str:
        return self.search_description or self.summary or super().meta_description(hub_name)

    def og_image(self):
        for block in self.body:
            if block.block_type == "image" and block.value:
                return block.value
        return None


# --- Settings: branding and menu (Wagtail admin → Settings) ------------------------------------------------

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hexadecimal digits, e.g. #0b6e4f."))


@register_setting(icon="image")
class SiteBranding(BaseGenericSetting):
    """The hub's logo, colours and contact details on its public site."""

    name_en = models.CharField(
        _("English name of the hub"), max_length=200, blank=True, help_text=_("Shown to visitors who chose English.")
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    primary_colour = models.CharField(_("primary colour"), max_length=7, default="#0b6e4f", validators=[HEX_COLOUR])
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#c9762b", validators=[HEX_COLOUR])
    contact_address = models.CharField(_("address"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    footer_text = models.TextField(_("footer text"), blank=True)
    icp_number = models.CharField(
        _("ICP filing number"), max_length=60, blank=True, help_text=_("E.g. 鄂ICP备12345678号; shown in the footer.")
    )

    select_related = ["logo"]
    panels = [
        MultiFieldPanel([FieldPanel("name_en"), FieldPanel("tagline"), FieldPanel("logo")], heading=_("Identity")),
        MultiFieldPanel([FieldPanel("primary_colour"), FieldPanel("accent_colour")], heading=_("Colours")),
        MultiFieldPanel(
            [FieldPanel("contact_address"), FieldPanel("contact_phone"), FieldPanel("contact_email")],
            heading=_("Contact"),
        ),
        MultiFieldPanel([FieldPanel("footer_text"), FieldPanel("icp_number")], heading=_("Footer")),
    ]

    class Meta:
        verbose_name = _("branding")


@register_setting(icon="list-ul")
class MainMenu(ClusterableModel, BaseGenericSetting):
    """The site's main menu. Empty: the home page's live children marked "show in menus"."""

    panels = [InlinePanel("items", label=_("Menu items"))]

    class Meta:
        verbose_name = _("main menu")


class MenuItem(Orderable):
    menu = ParentalKey(MainMenu, related_name="items", on_delete=models.CASCADE)
    label = models.CharField(_("label"), max_length=50, blank=True, help_text=_("Empty: the page's title."))
    label_en = models.CharField(_("English label"), max_length=50, blank=True)
    link_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    link_url = models.CharField(
        _("or address"),
        max_length=300,
        blank=True,
        help_text=_("A path on this site (/portal/) or a full address (https://…)."),
        validators=[RegexValidator(r"^(/|https?://)", _("Start with / or http:// or https://."))],
    )

    panels = [FieldPanel("label"), FieldPanel("label_en"), FieldPanel("link_page"), FieldPanel("link_url")]

    class Meta(Orderable.Meta):
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.link_page_id and not self.link_url:
            raise ValidationError(_("Choose a page or enter an address."))
        if not self.link_page_id and not self.label:
            raise ValidationError({"label": _("A link to an address needs a label.")})


def latest_news(limit: int) -> list:
    if not limit:
        return []
    return list(NewsPage.objects.live().public().order_by("-date", "-pk")[:limit])

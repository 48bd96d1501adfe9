"""What the showcase site reads from the hub's records. Every function runs in the current hub's schema.

Which projects are public is the projects app's rule (``incubator.projects.public_selectors.public_projects``),
the same for /progress/<pk>/ and for the showcase. Nothing here returns money released, a rectification, a
person's name or an individual appraisal answer.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.areas.models import Street
from incubator.funding.models import (
    ApplicationStatus,
    Call,
    CallField,
    CallStatus,
    PublicNotice,
)
from incubator.orgs.models import IncubationStatus, LegalForm, Organisation, ServiceField, Tier
from incubator.projects import public_selectors as projects_public
from incubator.projects.models import Project, ProjectActivity, ProjectStatus

# --- The hub and the site's structure ----------------------------------------------------------------------


SECTIONS = {
    "calls": "callindexpage",
    "projects": "projectindexpage",
    "organisations": "organisationindexpage",
    "courses": "courseindexpage",
    "notices": "noticeindexpage",
    "news": "newsindexpage",
}


def section_urls(request=None) -> dict[str, str]:
    """The URL of each section's index page (``{"calls": "/calls/", …}``), for links between sections.

    One query (remembered on the request); a section whose page is missing or unpublished is absent.
    """
    cached = getattr(request, "_cms_section_urls", None)
    if cached is not None:
        return cached
    from wagtail.models import Page

    types = {ContentType.objects.get_by_natural_key("cms", model).pk: key for key, model in SECTIONS.items()}
    urls: dict[str, str] = {}
    for page in Page.objects.live().filter(content_type_id__in=types).order_by("path"):
        url = page.get_url(request)
        if url:
            urls.setdefault(types[page.content_type_id], url)
    if request is not None:
        request._cms_section_urls = urls
    return urls


def _labels(choices, values) -> list[str]:
    names = dict(choices)
    return [str(names.get(value, value)) for value in values or []]


# --- Home ------------------------------------------------------------------------------------------------------


def home_figures() -> dict[str, int]:
    """The home page's live figures; three queries whatever the hub's size."""
    incubated = (
        Organisation.objects.filter(incubations__status__in=[IncubationStatus.INCUBATING, IncubationStatus.GRADUATED])
        .distinct()
        .count()
    )
    funded = Project.objects.exclude(status=ProjectStatus.TERMINATED).count()
    residents = ProjectActivity.objects.aggregate(total=Sum("beneficiaries"))["total"] or 0
    return {"organisations": incubated, "projects": funded, "residents": residents}


def featured_projects(limit: int) -> list[Project]:
    """Brand projects (品牌项目) the public may see, most recently closed first. One query."""
    if not limit:
        return []
    projects = public_projects().filter(is_brand=True).annotate(reached=Coalesce(Sum("activities__beneficiaries"), 0))
    return list(projects.order_by(F("closed_on").desc(nulls_last=True), "-pk")[:limit])


# --- Calls -----------------------------------------------------------------------------------------------------


def public_calls() -> QuerySet[Call]:
    """Every call but drafts."""
    return Call.objects.exclude(status=CallStatus.DRAFT)


def open_calls() -> QuerySet[Call]:
    """Calls taking applications now or soon: open, and not yet past their deadline. Soonest deadline first."""
    return public_calls().filter(status=CallStatus.OPEN).before_their_deadline().order_by("closes_at")


def past_calls() -> QuerySet[Call]:
    current = public_calls().filter(status=CallStatus.OPEN).before_their_deadline()
    return public_calls().exclude(pk__in=current.values("pk")).order_by("-opens_at", "-pk")


def call_rules(call: Call) -> dict:
    """A call's rules as the public reads them: fields, eligibility, standards, quotas, installments."""
    now = timezone.now()
    notice = PublicNotice.objects.filter(call=call).first()
    return {
        "fields": _labels(CallField.choices, call.service_fields),
        "legal_forms": _labels(LegalForm.choices, call.eligible_legal_forms),
        "tiers": _labels(Tier.choices, call.eligible_tiers),
        "streets": list(call.eligible_streets.order_by("name").values_list("name", flat=True)),
        "standards": list(call.budget_standards.order_by("category")),
        "quotas": list(call.quotas.all()),
        "needs": list(call.needs.select_related("community").order_by("-gathered_on")[:20]),
        "installments": [
            (call.first_installment_percent, _("on signing the contract")),
            (call.second_installment_percent, _("after the mid-term review")),
            (call.final_installment_percent, _("after the third-party evaluation accepts the project")),
        ],
        "is_open": call.takes_applications(now),
        "opens_later": call.status == CallStatus.OPEN and now < call.opens_at,
        "notice": notice,
    }


def call_summary(call: Call, rules: dict) -> str:
    return _("%(title)s: budget %(budget)s yuan, at most %(cap)s yuan per project, applications until %(closes)s.") % {
        "title": call.title,
        "budget": f"{call.budget:,.0f}",
        "cap": f"{call.per_project_cap:,.0f}",
        "closes": timezone.localtime(call.closes_at).date().isoformat(),
    }


# --- Projects --------------------------------------------------------------------------------------------------


def public_projects() -> QuerySet[Project]:
    """The projects the public may see (the rule is the projects app's), newest first, with what lists show."""
    return (
        projects_public.public_projects()
        .select_related("application__organisation__street")
        .annotate(
            year=Coalesce(
                ExtractYear("starts_on"),
                ExtractYear("application__starts_on"),
                ExtractYear("application__call__opens_at"),
                output_field=IntegerField(),
            )
        )
        .order_by("-year", "-pk")
    )


def project_filter_options() -> dict:
    """The choices of the project filters: service fields, the hub's streets, the years with public projects."""
    years = sorted(
        {year for year in public_projects().order_by().values_list("year", flat=True).distinct() if year},
        reverse=True,
    )
    return {"fields": CallField.choices, "streets": list(Street.objects.order_by("name")), "years": years}


def filter_projects(projects: QuerySet[Project], *, field: str = "", street: str = "", year: str = "") -> QuerySet:
    if field:
        projects = projects.filter(application__service_field=field)
    if street:
        projects = projects.filter(application__organisation__street_id=int(street))
    if year:
        projects = projects.filter(year=int(year))
    return projects.annotate(reached=Coalesce(Sum("activities__beneficiaries"), 0))


def project_summary(project: Project, story: dict) -> str:
    return _(
        "%(title)s, run by %(organisation)s: %(activities)s activities held, %(beneficiaries)s residents reached."
    ) % {
        "title": project.application.title,
        "organisation": project.application.organisation.name,
        "activities": len(story["activities"]),
        "beneficiaries": story["beneficiaries"],
    }


# --- Organisations ---------------------------------------------------------------------------------------------


def listed_organisations() -> QuerySet[Organisation]:
    """Organisations that chose to appear in the public directory."""
    return Organisation.objects.filter(listed_publicly=True).select_related("street", "community").order_by("name")


def filter_organisations(organisations, *, query: str = "", tier: str = "", field: str = "") -> QuerySet:
    for term in query.split()[:8]:
        organisations = organisations.filter(name__icontains=term)
    if tier:
        organisations = organisations.filter(tier=tier)
    if field:
        organisations = organisations.filter(service_fields__contains=[field])
    return organisations


def organisation_fields(organisation: Organisation) -> list[str]:
    return _labels(ServiceField.choices, organisation.service_fields)


# --- Courses ---------------------------------------------------------------------------------------------------


def upcoming_courses() -> list:
    """Upcoming capacity-building courses. The hub has no course records yet, so there are none to show."""
    return []


# --- Notices ---------------------------------------------------------------------------------------------------

NOTICE_STATUSES = [ApplicationStatus.IN_NOTICE, ApplicationStatus.AWARDED, ApplicationStatus.REJECTED]


def _notices() -> QuerySet[PublicNotice]:
    return PublicNotice.objects.select_related("call").annotate(
        projects_count=Count("call__applications", filter=Q(call__applications__status__in=NOTICE_STATUSES))
    )


def current_notices(today) -> list[PublicNotice]:
    """Funding decisions in their notice period (公示期) today: anyone may still object."""
    return list(_notices().filter(starts_on__lte=today, ends_on__gte=today).order_by("ends_on", "pk"))


def upcoming_notices(today) -> list[PublicNotice]:
    """Published decisions whose notice period has not begun (it starts on the next working day)."""
    return list(_notices().filter(starts_on__gt=today).order_by("starts_on", "pk"))


def published_notices(today) -> QuerySet[PublicNotice]:
    """Every notice that has started: what /notices/<pk>/ shows."""
    return PublicNotice.objects.filter(starts_on__lte=today).order_by("-starts_on", "-pk")


def past_notices(today) -> QuerySet[PublicNotice]:
    return _notices().filter(ends_on__lt=today).order_by("-ends_on", "-pk")


def recent_appraisals(limit: int) -> list[Project]:
    """Published residents' appraisal results (民事民评), newest first, with their figures. One query."""
    return projects_public.with_figures(projects_public.published_appraisals()[:limit])

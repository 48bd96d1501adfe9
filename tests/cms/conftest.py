"""Records of the showcase tests: calls, projects with activities, organisations and news pages, made with the
real models in whichever hub's schema is current (wrap calls in ``tenant_context``)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.conftest import HUB_A, HUB_B
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, ProjectFactory

A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


@pytest.fixture
def no_page_cache(settings):
    """Render every page: the showcase page cache (cms.cache) is exercised by its own tests."""
    settings.SHOWCASE_CACHE_SECONDS = 0


@pytest.fixture
def in_hub_a(hub_a):
    with tenant_context(hub_a):
        yield hub_a


def make_call(title="2026年社区公益创投", *, status="open", opens_days=-1, closes_days=14, **fields):
    now = timezone.now()
    values = {"budget": Decimal("1000000.00"), "description": "面向辖区社会组织征集社区服务项目。", **fields}
    return CallFactory(
        title=title,
        status=status,
        opens_at=now + datetime.timedelta(days=opens_days),
        closes_at=now + datetime.timedelta(days=closes_days),
        **values,
    )


def make_project(
    title="老人居家防跌倒",
    *,
    organisation=None,
    status="active",
    progress_published=True,
    service_field="charity",
    starts_on=datetime.date(2026, 3, 1),
    beneficiaries=(),
    **fields,
):
    """A funded project (its own announced call and awarded application) with one activity per number in
    ``beneficiaries``."""
    from incubator.projects.models import ProjectActivity

    application = ApplicationFactory(
        call=make_call(f"{title}所属征集", status="announced", opens_days=-200, closes_days=-170),
        organisation=organisation or OrganisationFactory(),
        title=title,
        service_field=service_field,
        problem=f"{title}:居民需求",
        target_groups=["elderly"],
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=300),
    )
    project = ProjectFactory(application=application, status=status, progress_published=progress_published, **fields)
    for number, count in enumerate(beneficiaries, start=1):
        ProjectActivity.objects.create(
            project=project,
            held_on=starts_on + datetime.timedelta(days=number),
            title=f"第{number}次入户服务",
            participants=count,
            beneficiaries=count,
        )
    return project


def make_news(title="孵化基地举办公益创投培训", *, paragraph="<p>本次培训介绍了项目设计与预算编制。</p>", **fields):
    from wagtail.rich_text import RichText

    from cms.models import NewsIndexPage, NewsPage

    index = NewsIndexPage.objects.get()
    page = NewsPage(
        title=title,
        slug=fields.pop("slug", f"news-{NewsPage.objects.count() + 1}"),
        summary=fields.pop("summary", f"{title}的摘要"),
        body=[("heading", "培训内容"), ("paragraph", RichText(paragraph))],
        **fields,
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return NewsPage.objects.get(pk=page.pk)


def english(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client

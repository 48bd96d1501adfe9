"""Every page of the showcase site, in Chinese by default and in English when chosen."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.cms.conftest import A, english, make_call, make_news, make_project
from tests.factories import OrganisationFactory, StreetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

SECTIONS = {
    "/calls/": ("征集公告", "Calls for projects"),
    "/projects/": ("公益项目", "Projects"),
    "/organisations/": ("社会组织", "Organisations"),
    "/courses/": ("能力建设", "Courses"),
    "/notices/": ("公示公告", "Notices"),
    "/news/": ("新闻动态", "News"),
}


def get(client, url, host=A):
    response = client.get(url, **host)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("url", ["/", *SECTIONS, "/search/"])
def test_every_page_answers_in_chinese_by_default(client, url):
    page = get(client, url)
    assert '<html lang="zh-hans">' in page
    assert "征集公告" in page and "公益项目" in page  # the menu: the section pages' titles
    if url in SECTIONS:
        assert f"<h1>{SECTIONS[url][0]}</h1>" in page


@pytest.mark.parametrize("url", ["/", *SECTIONS, "/search/"])
def test_every_page_answers_in_english_when_chosen(client, url):
    page = get(english(client), url)
    assert '<html lang="en">' in page
    assert "Calls for projects" in page and "Organisations" in page
    if url in SECTIONS:
        assert f"<h1>{SECTIONS[url][1]}</h1>" in page


def test_the_language_switch_works_without_a_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    chosen = strict.post("/language/", {"language": "en", "next": "/projects/"}, **A)
    assert chosen.status_code == 302 and chosen["Location"] == "/projects/"
    assert "<h1>Projects</h1>" in get(strict, "/projects/")


def test_anonymous_pages_carry_no_per_visitor_state(client):
    """The page cache serves one page to every anonymous visitor: no CSRF token, no cookie, no message."""
    for url in ["/", *SECTIONS]:
        response = client.get(url, **A)
        assert "csrfmiddlewaretoken" not in response.content.decode(), url
        assert not response.cookies, url


def test_pages_have_titles_descriptions_open_graph_and_a_canonical_link(client, hub_a):
    from cms.models import CallIndexPage

    with tenant_context(hub_a):
        CallIndexPage.objects.update(search_description="本基地的全部项目征集")
    home = get(client, "/")
    assert f"<title>{hub_a.name}</title>" in home
    assert '<meta name="description" content="' in home
    assert '<meta property="og:title" content="' in home and '<meta property="og:type" content="website">' in home
    assert '<link rel="canonical" href="http://a.localhost/">' in home
    assert '<meta property="og:url" content="http://a.localhost/">' in home
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in home

    calls = get(client, "/calls/")
    assert f"<title>征集公告 | {hub_a.name}</title>" in calls
    assert '<meta name="description" content="本基地的全部项目征集">' in calls
    assert '<meta property="og:description" content="本基地的全部项目征集">' in calls
    # Filters and tracking tags are not part of the page's address; its page number past the first is.
    assert '<link rel="canonical" href="http://a.localhost/calls/">' in get(client, "/calls/?utm_source=wechat&page=1")
    assert '<link rel="canonical" href="http://a.localhost/news/?page=2">' in get(client, "/news/?page=2&x=1")

    projects = get(client, "/projects/")  # no search description: a generated one naming the hub
    assert f'<meta name="description" content="Community projects funded by {hub_a.name}' in projects or (
        hub_a.name in projects.split('<meta name="description" content="')[1].split('"')[0]
    )


def test_the_home_page_shows_brand_projects_open_calls_and_news(client, in_hub_a):
    brand = make_project("老人居家防跌倒", status="closed", is_brand=True, grade="excellent", beneficiaries=[30])
    make_project("普通项目", status="closed")
    call = make_call("2026年江岸区社区公益创投")
    make_call("已截止的征集", status="closed", opens_days=-30, closes_days=-1)
    make_news("江岸区孵化基地开放日")
    page = get(client, "/")
    featured = page.split('id="featured-projects"')[1].split("</section>")[0]
    assert "老人居家防跌倒" in featured and f'href="/projects/{brand.pk}/"' in featured
    assert "普通项目" not in featured
    calls = page.split('id="open-calls"')[1].split("</section>")[0]
    assert "2026年江岸区社区公益创投" in calls and f'href="/calls/{call.pk}/"' in calls
    assert "已截止的征集" not in calls
    assert "江岸区孵化基地开放日" in page.split('id="news"')[1]


def test_calls_lists_open_and_past_calls_but_no_draft(client, in_hub_a):
    make_call("正在征集的项目")
    make_call("去年的征集", status="announced", opens_days=-400, closes_days=-370)
    make_call("草稿征集", status="draft")
    page = get(client, "/calls/")
    open_part, past_part = page.split('id="past-calls"')
    assert "正在征集的项目" in open_part and "去年的征集" in past_part
    assert "草稿征集" not in page


def test_an_open_call_shows_its_rules_and_an_apply_button_to_the_portal(client, in_hub_a):
    from incubator.areas.models import Street
    from incubator.funding.models import BudgetStandard, Quota

    call = make_call(
        "2026年江岸区社区公益创投",
        eligible_legal_forms=["social_service"],
        eligible_tiers=["basic"],
        first_installment_percent=Decimal("40"),
        second_installment_percent=Decimal("50"),
        final_installment_percent=Decimal("10"),
    )
    call.eligible_streets.add(Street.objects.create(name="球场街道"))
    BudgetStandard.objects.create(call=call, category="staff", max_percent=Decimal("30"))
    Quota.objects.create(call=call, target_group="elderly", min_percent=Decimal("50"))
    page = get(client, f"/calls/{call.pk}/")
    assert "<h1>2026年江岸区社区公益创投" in page
    assert "1,000,000.00" in page and "50,000.00" in page  # budget, cap
    assert "社会服务机构" in page
    assert "球场街道" in page
    assert "30%" in page and "50%" in page and "40%" in page and "10%" in page
    assert f'href="/portal/calls/?call={call.pk}"' in page  # the apply button, to this call
    # Anonymous: the portal asks to sign in and brings the visitor back to this call.
    login = client.get(f"/portal/calls/?call={call.pk}", **A)
    assert login.status_code == 302
    assert login["Location"] == f"/portal/login/?next=/portal/calls/%3Fcall%3D{call.pk}"


def test_a_closed_call_has_no_apply_button_and_links_its_notice(client, in_hub_a):
    from incubator.funding.models import PublicNotice

    call = make_call("已截止的征集", status="announced", opens_days=-60, closes_days=-30)
    today = timezone.localdate()
    notice = PublicNotice.objects.create(
        call=call, starts_on=today - datetime.timedelta(days=20), ends_on=today - datetime.timedelta(days=10)
    )
    page = get(client, f"/calls/{call.pk}/")
    assert 'href="/portal/calls/' not in page.split("<main")[1].split("</main>")[0]
    assert f'href="/notices/{notice.pk}/"' in page


def test_a_draft_call_and_an_unknown_one_are_not_found(client, in_hub_a):
    draft = make_call("草稿征集", status="draft")
    assert client.get(f"/calls/{draft.pk}/", **A).status_code == 404
    assert client.get("/calls/999999/", **A).status_code == 404


def test_the_project_showcase_is_built_from_project_records(client, in_hub_a):
    project = make_project("老人居家防跌倒", status="closed", grade="excellent", beneficiaries=[40, 60])
    page = get(client, "/projects/")
    assert "老人居家防跌倒" in page and f'href="/projects/{project.pk}/"' in page
    story = get(client, f"/projects/{project.pk}/")
    assert 'id="project-story-' in story  # the shared include from incubator.projects
    assert "<h1>老人居家防跌倒" in story
    assert project.application.organisation.name in story
    assert "第1次入户服务" in story and "<strong>100</strong>" in story  # activities, residents reached
    assert 'id="evaluation-grade"' in story


def test_only_published_or_closed_projects_are_public(client, in_hub_a):
    published = make_project("已公开进展的项目", status="active", progress_published=True)
    closed = make_project("已结项的项目", status="closed", progress_published=False)
    private = make_project("未公开的项目", status="active", progress_published=False)
    terminated = make_project("已终止的项目", status="terminated", progress_published=False)
    page = get(client, "/projects/")
    assert "已公开进展的项目" in page and "已结项的项目" in page
    assert "未公开的项目" not in page and "已终止的项目" not in page
    for project in (published, closed):
        assert client.get(f"/projects/{project.pk}/", **A).status_code == 200
    for project in (private, terminated):
        assert client.get(f"/projects/{project.pk}/", **A).status_code == 404


def test_projects_filter_by_service_field_street_and_year(client, in_hub_a):
    from incubator.areas.models import Street

    east = OrganisationFactory(street=Street.objects.create(name="车站街道"), community=None)
    west = OrganisationFactory(street=Street.objects.create(name="劳动街道"), community=None)
    make_project("助老项目", organisation=east, service_field="charity", starts_on=datetime.date(2025, 4, 1))
    make_project("文化项目", organisation=west, service_field="culture_education", starts_on=datetime.date(2026, 4, 1))

    def listed(query):
        page = get(client, f"/projects/{query}")
        return {title for title in ("助老项目", "文化项目") if title in page.split('id="project-filters"')[1]}

    assert listed("") == {"助老项目", "文化项目"}
    assert listed("?field=charity") == {"助老项目"}
    assert listed(f"?street={west.street_id}") == {"文化项目"}
    assert listed("?year=2025") == {"助老项目"}
    assert listed("?year=2025&field=culture_education") == set()
    assert listed("?field=nonsense&year=abc") == {"助老项目", "文化项目"}  # unknown values are ignored
    page = get(client, "/projects/")
    assert '<option value="2026">2026</option>' in page and "车站街道" in page


def test_the_directory_lists_only_organisations_that_opted_in(client, in_hub_a):
    OrganisationFactory(name="愿意公开的社会组织", listed_publicly=True, tier="basic", basic_field="community_affairs")
    OrganisationFactory(name="不愿公开的社会组织", listed_publicly=False)
    page = get(client, "/organisations/")
    assert "愿意公开的社会组织" in page and "不愿公开的社会组织" not in page
    assert "“n”：基本型社区社会组织" in page  # the 1+n+x tier, in the default language


def test_the_directory_filters_by_tier_field_and_name(client, in_hub_a):
    OrganisationFactory(
        name="百步亭社会组织服务中心",
        listed_publicly=True,
        tier="hub",
        service_fields=["governance"],
        community=None,
        street=StreetFactory(),
    )
    OrganisationFactory(
        name="晚晴枫养老助残服务中心",
        listed_publicly=True,
        tier="basic",
        basic_field="community_service",
        service_fields=["elderly"],
    )

    def listed(query):
        page = get(client, f"/organisations/{query}")
        return {
            name for name in ("百步亭社会组织服务中心", "晚晴枫养老助残服务中心") if name in page.split("</form>")[-1]
        }

    assert listed("?tier=hub") == {"百步亭社会组织服务中心"}
    assert listed("?field=elderly") == {"晚晴枫养老助残服务中心"}
    assert listed("?q=晚晴") == {"晚晴枫养老助残服务中心"}
    assert listed("?q=晚晴&tier=hub") == set()


def test_courses_show_an_empty_state(client):
    assert 'id="no-courses"' in get(client, "/courses/")
    assert "No upcoming course yet." in get(english(client), "/courses/")


def test_the_notice_board_shows_current_and_past_notices_and_appraisals(client, in_hub_a):
    from incubator.funding.models import PublicNotice

    today = timezone.localdate()
    current = make_call("公示中的征集", status="decided", opens_days=-60, closes_days=-30)
    past = make_call("往期征集", status="announced", opens_days=-400, closes_days=-370)
    notice = PublicNotice.objects.create(
        call=current, starts_on=today - datetime.timedelta(days=2), ends_on=today + datetime.timedelta(days=5)
    )
    old = PublicNotice.objects.create(
        call=past, starts_on=today - datetime.timedelta(days=360), ends_on=today - datetime.timedelta(days=350)
    )
    appraised = make_project("民事民评项目", status="evaluating", appraisal_published_at=timezone.now())
    page = get(client, "/notices/")
    current_part = page.split('id="current-notices"')[1].split("</section>")[0]
    assert "公示中的征集" in current_part and f'href="/notices/{notice.pk}/"' in current_part
    assert "往期征集" not in current_part
    assert f'href="/notices/{old.pk}/"' in page.split('id="past-notices"')[1]
    assert f'href="/notices/appraisals/{appraised.pk}/"' in page.split('id="appraisals"')[1]
    # The Django views under /notices/ still answer before Wagtail's catch-all.
    objection = client.get(f"/notices/{notice.pk}/", **A)
    assert objection.status_code == 200 and 'name="text"' in objection.content.decode()
    assert client.get(f"/notices/appraisals/{appraised.pk}/", **A).status_code == 200


def test_news_pages_render_their_stream_field(client, in_hub_a):
    from cms.models import NewsPage

    news = make_news(
        "孵化基地举办公益创投培训", paragraph="<p>本次培训介绍了<b>项目设计</b>与预算编制。</p>", slug="training"
    )
    NewsPage.objects.filter(pk=news.pk).update(date=datetime.date(2026, 5, 4))
    index = get(client, "/news/")
    assert "孵化基地举办公益创投培训" in index and 'href="/news/training/"' in index
    page = get(client, "/news/training/")
    assert "<h2>培训内容</h2>" in page and "<b>项目设计</b>" in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta name="description" content="孵化基地举办公益创投培训的摘要">' in page


def test_the_sitemap_lists_pages_calls_and_public_projects_and_robots_points_to_it(client, in_hub_a):
    call = make_call("可见的征集")
    draft = make_call("草稿征集", status="draft")
    public = make_project("公开项目", status="closed")
    private = make_project("私有项目", status="active", progress_published=False)
    make_news("新闻一则", slug="item")
    sitemap = client.get("/sitemap.xml", **A)
    assert sitemap.status_code == 200 and sitemap["Content-Type"].startswith("application/xml")
    body = sitemap.content.decode()
    for url in ["/", "/calls/", "/projects/", "/organisations/", "/courses/", "/notices/", "/news/", "/news/item/"]:
        assert f"<loc>http://a.localhost{url}</loc>" in body, url
    assert f"<loc>http://a.localhost/calls/{call.pk}/</loc>" in body
    assert f"<loc>http://a.localhost/projects/{public.pk}/</loc>" in body
    assert f"/calls/{draft.pk}/" not in body and f"/projects/{private.pk}/" not in body
    assert "/notices/appraisals/" not in body  # nothing published yet
    robots = client.get("/robots.txt", **A).content.decode()
    assert "Sitemap: http://a.localhost/sitemap.xml" in robots and "Disallow: /admin/" in robots


def test_the_sitemap_lists_the_notices_and_published_appraisals(client, in_hub_a):
    import datetime

    from django.utils import timezone

    from incubator.funding.models import PublicNotice
    from incubator.projects.models import Project

    today = timezone.localdate()
    call = make_call("公示中的征集", status="announced")
    started = PublicNotice.objects.create(call=call, starts_on=today, ends_on=today + datetime.timedelta(days=7))
    later = PublicNotice.objects.create(
        call=make_call("尚未公示", status="decided"),
        starts_on=today + datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=10),
    )
    published = make_project("已公布民事民评", status="closed")
    Project.objects.filter(pk=published.pk).update(appraisal_published_at=timezone.now())
    unpublished = make_project("未公布民事民评", status="closed")
    body = client.get("/sitemap.xml", **A).content.decode()
    assert f"<loc>http://a.localhost/notices/{started.pk}/</loc>" in body
    assert f"/notices/{later.pk}/" not in body
    assert "<loc>http://a.localhost/notices/appraisals/</loc>" in body
    assert f"<loc>http://a.localhost/notices/appraisals/{published.pk}/</loc>" in body
    assert f"/notices/appraisals/{unpublished.pk}/" not in body
    assert client.get(f"/notices/{started.pk}/", **A).status_code == 200
    assert client.get(f"/notices/appraisals/{published.pk}/", **A).status_code == 200


def test_an_organisation_opts_in_from_its_portal_profile(client, in_hub_a):
    from django.forms.models import model_to_dict

    from incubator.accounts.roles import Role, ensure_roles
    from incubator.orgs.models import Membership
    from incubator.orgs.services import EDITABLE_BY_MEMBERS
    from tests.factories import UserFactory

    organisation = OrganisationFactory(name="选择公开的社区社会组织", listed_publicly=False)
    member = UserFactory(email="member@optin.test")
    member.groups.add(ensure_roles()[Role.ORGANISATION_MEMBER])
    Membership.objects.create(user=member, organisation=organisation)
    assert "选择公开的社区社会组织" not in get(client, "/organisations/")

    client.force_login(member)
    form = client.get(f"/portal/organisations/{organisation.pk}/profile/", **A).content.decode()
    assert 'name="listed_publicly"' in form
    fields = model_to_dict(organisation, fields=EDITABLE_BY_MEMBERS)
    data = {key: value for key, value in fields.items() if value is not None and key != "listed_publicly"}
    data["listed_publicly"] = "on"
    response = client.post(f"/portal/organisations/{organisation.pk}/profile/", data, **A)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert "选择公开的社区社会组织" in get(client, "/organisations/")

"""Each hub's showcase shows only that hub's content: pages, sub-pages, sitemap, search, branding."""

import pytest
from django_tenants.utils import tenant_context

from tests.cms.conftest import A, B, make_call, make_news, make_project
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

PAGES = ["/", "/calls/", "/projects/", "/organisations/", "/courses/", "/notices/", "/news/", "/sitemap.xml"]
SECRETS = ["甲基地的防跌倒项目", "甲基地的社会组织", "甲基地的公益创投", "甲基地的新闻"]


@pytest.fixture
def content_of_a(hub_a):
    from cms.models import SiteBranding

    with tenant_context(hub_a):
        organisation = OrganisationFactory(name="甲基地的社会组织", listed_publicly=True)
        project = make_project(
            "甲基地的防跌倒项目", organisation=organisation, status="closed", is_brand=True, grade="excellent"
        )
        call = make_call("甲基地的公益创投")
        news = make_news("甲基地的新闻", slug="news-of-a")
        branding = SiteBranding.load()
        branding.primary_colour = "#123456"
        branding.contact_phone = "027-11112222"
        branding.save()
        return {"project": project, "call": call, "news": news}


def test_content_of_hub_a_shows_on_a(client, content_of_a):
    pages = "".join(client.get(url, **A).content.decode() for url in PAGES)
    for secret in SECRETS:
        assert secret in pages, secret
    assert "#123456" in pages and "027-11112222" in pages


def test_content_of_hub_a_never_shows_on_b(client, content_of_a):
    for url in PAGES:
        response = client.get(url, **B)
        assert response.status_code == 200, url
        page = response.content.decode()
        for secret in [*SECRETS, "#123456", "027-11112222", "a.localhost"]:
            assert secret not in page, (url, secret)


def test_sub_pages_of_hub_a_are_not_found_on_b(client, content_of_a, hub_b):
    with tenant_context(hub_b):
        from incubator.funding.models import Call
        from incubator.projects.models import Project

        # Ids are per schema; make sure B has no record that happens to carry the same id.
        assert not Call.objects.filter(pk=content_of_a["call"].pk).exists()
        assert not Project.objects.filter(pk=content_of_a["project"].pk).exists()
    assert client.get(f"/calls/{content_of_a['call'].pk}/", **A).status_code == 200
    assert client.get(f"/calls/{content_of_a['call'].pk}/", **B).status_code == 404
    assert client.get(f"/projects/{content_of_a['project'].pk}/", **A).status_code == 200
    assert client.get(f"/projects/{content_of_a['project'].pk}/", **B).status_code == 404
    assert client.get("/news/news-of-a/", **A).status_code == 200
    assert client.get("/news/news-of-a/", **B).status_code == 404


def test_search_on_b_finds_nothing_of_a(client, content_of_a):
    for secret in SECRETS:
        on_a = client.get("/search/", {"q": secret}, **A).content.decode()
        on_b = client.get("/search/", {"q": secret}, **B).content.decode()
        assert 'id="search-results"' in on_a, secret
        assert 'id="no-results"' in on_b and 'id="search-results"' not in on_b, secret

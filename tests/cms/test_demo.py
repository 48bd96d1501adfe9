"""The demo news of the showcase sites, drawn from the seeds; loading twice adds nothing."""

import pytest

from cms.demo import NEWS, load_cms_demo
from tests.cms.conftest import A

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


@pytest.mark.parametrize("schema_name", ["jiangan", "guandu"])
def test_the_demo_news_load_once_and_show(client, in_hub_a, schema_name):
    from cms.models import NewsPage, SiteBranding

    assert load_cms_demo(schema_name) == len(NEWS[schema_name]["news"])
    assert load_cms_demo(schema_name) == 0
    assert NewsPage.objects.live().count() == len(NEWS[schema_name]["news"])
    assert SiteBranding.load().contact_phone == NEWS[schema_name]["branding"]["contact_phone"]
    newest = max(NEWS[schema_name]["news"], key=lambda item: -item["days_ago"])
    news = client.get("/news/", **A).content.decode()
    first = news.split('id="news-list"')[1].split("</li>")[0]
    assert newest["title"] in first  # newest first
    item = client.get(f"/news/{newest['slug']}/", **A)
    assert item.status_code == 200 and newest["title"] in item.content.decode()


def test_the_demo_news_are_found_by_search(client, in_hub_a):
    load_cms_demo("jiangan")
    found = client.get("/search/", {"q": "尼龙扶手"}, **A).content.decode()
    assert "/news/fall-prevention-500-homes/" in found


def test_other_schemas_get_no_demo_news(in_hub_a):
    assert load_cms_demo("test_a") == 0

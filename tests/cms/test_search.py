"""Site search (/search/?q=…): substring matching that works for Chinese, every term required."""

import pytest
from django_tenants.utils import tenant_context

from tests.cms.conftest import A, english, make_call, make_news, make_project
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def results(client, query, host=A):
    response = client.get("/search/", {"q": query}, **host)
    assert response.status_code == 200
    page = response.content.decode()
    if 'id="search-results"' not in page:
        # No list only when the page says so: a broken template must not pass as "nothing found".
        assert 'id="no-results"' in page or 'id="search-help"' in page, page
        return ""
    return page.split('id="search-results"')[1].split("</ul>")[0]


def test_a_chinese_substring_finds_a_project(client, in_hub_a):
    project = make_project("老人居家防跌倒", status="closed")
    found = results(client, "防跌倒")
    assert "老人居家防跌倒" in found and f'href="/projects/{project.pk}/"' in found


def test_it_finds_calls_organisations_and_pages(client, in_hub_a):
    call = make_call("2026年江岸区社区公益创投")
    OrganisationFactory(name="武汉晚晴枫养老助残服务中心", listed_publicly=True)
    assert f'href="/calls/{call.pk}/"' in results(client, "公益创投")
    assert "武汉晚晴枫养老助残服务中心" in results(client, "晚晴枫")
    assert 'href="/notices/"' in results(client, "公示")  # a section page's title


def test_it_finds_words_inside_a_news_pages_stream_field(client, in_hub_a):
    make_news("基地动态", paragraph="<p>社工为万爷爷在卫生间安装了<b>尼龙扶手</b>。</p>", slug="handrails")
    found = results(client, "尼龙扶手")
    assert "基地动态" in found and 'href="/news/handrails/"' in found


def test_every_term_must_match(client, in_hub_a):
    make_project("老人居家防跌倒", status="closed")
    make_project("青年就业助力计划", status="closed")
    assert "老人居家防跌倒" in results(client, "老人 防跌倒")
    assert "老人居家防跌倒" in results(client, "老人\u3000防跌倒")  # a full-width space separates terms too
    assert results(client, "老人 就业") == ""
    both = results(client, "计划 青年")
    assert "青年就业助力计划" in both and "老人居家防跌倒" not in both


def test_private_records_are_not_found(client, in_hub_a):
    make_project("未公开的助老项目", status="active", progress_published=False)
    make_call("草稿中的征集", status="draft")
    OrganisationFactory(name="不愿公开的助老协会", listed_publicly=False)
    from cms.models import NewsIndexPage, NewsPage

    index = NewsIndexPage.objects.get()
    index.add_child(instance=NewsPage(title="尚未发布的助老新闻", slug="draft", live=False))
    assert 'href="/projects/' not in results(client, "未公开的助老项目")  # (its call is public, the project not)
    assert results(client, "草稿中的征集") == ""
    assert results(client, "不愿公开") == ""
    assert results(client, "尚未发布") == ""


def test_an_empty_query_gets_help_and_no_results(client):
    page = client.get("/search/", **A).content.decode()
    assert 'id="search-help"' in page and 'id="search-results"' not in page
    page = english(client).get("/search/", {"q": "   "}, **A).content.decode()
    assert "Type a few characters or words" in page


def test_nothing_found_says_so(client):
    page = client.get("/search/", {"q": "不存在的内容"}, **A).content.decode()
    assert 'id="no-results"' in page


def test_results_are_paginated(client, in_hub_a):
    for number in range(25):
        make_call(f"社区征集第{number}号")
    first = client.get("/search/", {"q": "社区征集"}, **A).content.decode()
    second = client.get("/search/", {"q": "社区征集", "page": 2}, **A).content.decode()
    assert first.count('<li>\n  <p class="muted">') == 20
    assert second.count('<li>\n  <p class="muted">') == 5
    assert "page=2" in first and "q=" in first.split('rel="next"')[0].rsplit('href="', 1)[1]


def test_search_is_per_hub(client, hub_a, hub_b):
    with tenant_context(hub_a):
        make_project("甲基地的防跌倒项目", status="closed")
        make_news("甲基地的新闻", paragraph="<p>甲基地独有的内容</p>")
    with tenant_context(hub_b):
        pass
    assert "甲基地的防跌倒项目" in results(client, "防跌倒")
    assert results(client, "防跌倒", host={"HTTP_HOST": "b.localhost"}) == ""
    assert results(client, "独有的内容", host={"HTTP_HOST": "b.localhost"}) == ""

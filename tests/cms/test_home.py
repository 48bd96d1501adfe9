"""The home page's live figures: right, and read with a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import selectors
from tests.cms.conftest import A, make_call, make_news, make_project
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def incubate(organisation, status):
    from incubator.orgs.models import Incubation

    return Incubation.objects.create(organisation=organisation, status=status, needs="场地与培训")


def figure(page, name):
    return page.split(f'id="figure-{name}"><strong>')[1].split("</strong>")[0]


def test_the_figures_count_incubated_organisations_funded_projects_and_residents(client, in_hub_a):
    incubating, graduated, twice, applied, exited = (OrganisationFactory() for _ in range(5))
    incubate(incubating, "incubating")
    incubate(graduated, "graduated")
    incubate(twice, "graduated")
    incubate(twice, "incubating")  # back for a second stay: still one organisation
    incubate(applied, "applied")
    incubate(exited, "exited")
    make_project("项目一", status="active", beneficiaries=[10, 15])
    make_project("项目二", status="closed", progress_published=False, beneficiaries=[30])
    make_project("项目三", status="terminated", progress_published=False, beneficiaries=[5])

    assert selectors.home_figures() == {"organisations": 3, "projects": 2, "residents": 60}
    page = client.get("/", **A).content.decode()
    assert (figure(page, "organisations"), figure(page, "projects"), figure(page, "residents")) == ("3", "2", "60")


def reads(queries) -> list[str]:
    """The queries that read or write data; django-tenants' ``SET search_path`` before each one aside."""
    return [query["sql"] for query in queries.captured_queries if not query["sql"].startswith("SET search_path")]


def test_the_figures_take_three_queries(in_hub_a):
    make_project("项目一", beneficiaries=[10])
    with CaptureQueriesContext(connection) as queries:
        selectors.home_figures()
    assert len(reads(queries)) == 3


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", **A)
    assert response.status_code == 200
    return len(reads(queries))


def test_the_home_page_takes_as_many_queries_with_20_projects_as_with_2(client, in_hub_a):
    def add_projects(count, start):
        for number in range(start, start + count):
            make_project(f"品牌项目{number}", status="closed", is_brand=True, grade="excellent", beneficiaries=[number])
            make_call(f"征集{number}")
            make_news(f"新闻{number}", slug=f"news-{number}")

    add_projects(2, 0)
    client.get("/", **A)  # warm the per-process caches (content types, site root paths)
    with_two = home_queries(client)
    add_projects(18, 2)
    with_twenty = home_queries(client)
    assert with_two == with_twenty
    page = client.get("/", **A).content.decode()
    assert page.split('id="featured-projects"')[1].split("</section>")[0].count("<li><h3>") == 3  # featured_count

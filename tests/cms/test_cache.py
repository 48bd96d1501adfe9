"""The showcase's full-page cache (cms/cache.py): per hub, per language, anonymous only, fresh after changes.

The Redis cache is real and shared by the whole session while the database is rolled back after each test,
so every test starts and ends by bumping both hubs' versions: no page rendered from a test's rows outlives it.
Changes are committed for the cache's purposes with ``django_capture_on_commit_callbacks(execute=True)``; a
change left uncommitted in the test's transaction keeps its hub's pages out of the cache (``has_pending_change``).
"""

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django_tenants.utils import tenant_context
from wagtail import hooks

from cms.cache import HEADER, bump, content_version
from cms.models import HomePage
from incubator import showcase
from incubator.orgs import services as org_services
from incubator.orgs.models import Organisation
from tests.conftest import HUB_A, HUB_B
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fresh_versions(db, django_capture_on_commit_callbacks):
    # A hub's first page creates its settings rows (branding, menu): let that count as committed, as it is
    # outside tests, so the test's own transaction holds no pending change.
    with django_capture_on_commit_callbacks(execute=True):
        for host in (A, B):
            Client().get("/", **host)
    connection.set_schema_to_public()
    for hub in (HUB_A, HUB_B):
        bump(hub["schema_name"])
    yield
    connection.set_schema_to_public()
    for hub in (HUB_A, HUB_B):
        bump(hub["schema_name"])


def state(response) -> str | None:
    return response.headers.get(HEADER)


def version(hub) -> int:
    with tenant_context(hub):
        return content_version()


def test_the_second_anonymous_visit_is_a_hit(client):
    first = client.get("/", **A)
    assert first.status_code == 200 and state(first) == "miss"
    second = client.get("/", **A)
    assert second.status_code == 200 and state(second) == "hit"
    assert HUB_A["name"] in second.content.decode()
    # Same page, but for its CSRF token; the outer middleware still runs on a hit.
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", second.content.decode())
    assert second["Content-Language"] == "zh-hans" and "Cookie" in second["Vary"]
    assert second["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("path", ["/projects/", "/calls/", "/organisations/", "/notices/", "/news/", "/courses/"])
def test_section_pages_are_cached_too(client, path):
    first = client.get(path, **A)
    assert first.status_code == 200 and state(first) == "miss"
    assert state(client.get(path, **A)) == "hit"


def test_a_projects_own_page_is_cached_and_follows_its_record(client, hub_a, django_capture_on_commit_callbacks):
    from incubator.projects.models import Project
    from tests.cms.conftest import make_project

    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        project = make_project("缓存测试的助老项目")
    url = f"/projects/{project.pk}/"
    first = client.get(url, **A)
    assert first.status_code == 200 and state(first) == "miss" and "缓存测试的助老项目" in first.content.decode()
    assert state(client.get(url, **A)) == "hit"
    assert client.get(f"/projects/{project.pk + 1000}/", **A).status_code == 404
    # Withdrawing progress is a QuerySet.update (no model signal): the service says the showcase changed.
    from incubator.projects import services as project_services

    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        admin = UserFactory(email="publisher@a.test", is_superuser=True)
        project_services.publish_progress(actor=admin, project=project, published=True)
    assert state(client.get(url, **A)) == "miss"
    assert state(client.get(url, **A)) == "hit"
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        Project.objects.filter(pk=project.pk).update(status="active")  # closed → active, by hand
        project_services.publish_progress(actor=admin, project=project, published=False)
    assert client.get(url, **A).status_code == 404


def test_search_is_never_cached(client):
    for _ in range(2):
        found = client.get("/search/?q=社区", **A)
        assert found.status_code == 200 and HEADER not in found.headers


def _with_a_csrf_form(request, response):
    """A POST form as ``{% csrf_token %}`` renders it (the showcase's own pages post without one)."""
    from django.middleware.csrf import get_token

    response.render()
    form = f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}"></form>'
    response.content = response.content.replace(b"</body>", form.encode() + b"</body>")


def test_a_page_holding_a_csrf_token_is_never_shared():
    first_visitor, second_visitor = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    with hooks.register_temporarily("on_serve_page", _tweak(_with_a_csrf_form)):
        assert state(first_visitor.get("/", **A)) == "miss"
        first_secret = first_visitor.cookies["csrftoken"].value
        second = second_visitor.get("/", **A)
    assert state(second) == "miss"  # not stored: each visitor's page is rendered for them
    tokens = TOKEN.findall(second.content.decode())
    assert len(tokens) == 1
    second_secret = second_visitor.cookies["csrftoken"].value
    assert second_secret != first_secret
    # The token works for the visitor who got it (Django's own language switch checks it).
    switched = second_visitor.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens[0]}, **A
    )
    assert switched.status_code == 302


def test_each_language_has_its_own_entry(client):
    assert state(client.get("/", **A)) == "miss"
    assert state(client.get("/", **A)) == "hit"

    english = Client()
    english.cookies["hubs_language"] = "en"
    first = english.get("/", **A)
    assert state(first) == "miss" and 'lang="en"' in first.content.decode()
    again = english.get("/", **A)
    assert state(again) == "hit" and 'lang="en"' in again.content.decode()
    assert again["Content-Language"] == "en"

    chinese = client.get("/", **A)
    assert state(chinese) == "hit" and 'lang="zh-hans"' in chinese.content.decode()


def test_another_hub_never_gets_this_hubs_page(client, hub_a, hub_b):
    client.get("/", **A)
    assert state(client.get("/", **A)) == "hit"
    page_b = client.get("/", **B)
    assert state(page_b) == "miss"
    assert HUB_B["name"] in page_b.content.decode() and HUB_A["name"] not in page_b.content.decode()
    assert HUB_A["name"] not in client.get("/", **B).content.decode()


def test_entries_are_stored_under_the_hubs_own_prefix(client, hub_a):
    from cms.cache import _cache

    client.get("/", **A)
    with tenant_context(hub_a):
        version_now = content_version()
    redis = _cache()._cache.get_client()
    keys = [key.decode() for key in redis.keys(f"*showcase:page:*:{version_now}:*")]
    # django_tenants.cache.make_key puts the schema first; the key names it again itself.
    assert keys and all(key.startswith(f"{HUB_A['schema_name']}:") for key in keys)
    assert all(f":showcase:page:{HUB_A['schema_name']}:{version_now}:zh-hans:" in key for key in keys)


def test_versions_are_per_hub(hub_a, hub_b):
    before_a, before_b = version(hub_a), version(hub_b)
    bump(HUB_A["schema_name"])
    assert version(hub_a) == before_a + 1 and version(hub_b) == before_b


def test_a_lost_version_restarts_above_any_earlier_one(hub_a):
    from cms.cache import VERSION_KEY, _cache

    before = version(hub_a)
    with tenant_context(hub_a):
        _cache().delete(VERSION_KEY)
    assert version(hub_a) > before
    bump(HUB_A["schema_name"])  # bumping a missing key also works
    with tenant_context(hub_a):
        _cache().delete(VERSION_KEY)
        bump()
        assert content_version() > before


def test_publishing_a_page_shows_at_once(client, hub_a, django_capture_on_commit_callbacks):
    assert state(client.get("/", **A)) == "miss"
    assert state(client.get("/", **A)) == "hit"
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        home = HomePage.objects.get()
        home.intro = "<p>甲基地的新首页介绍</p>"
        home.save_revision().publish()
    fresh = client.get("/", **A)
    assert state(fresh) == "miss" and "甲基地的新首页介绍" in fresh.content.decode()
    assert state(client.get("/", **A)) == "hit"


def test_a_new_organisation_invalidates_its_hub_only(client, hub_a, hub_b, django_capture_on_commit_callbacks):
    client.get("/", **A)
    client.get("/", **B)
    before_b = version(hub_b)
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True) as callbacks:
        street = OrganisationFactory().street  # rows written by hand are not the showcase's news…
        org_services.create_organisation(
            actor=None,
            name="新的组织甲",
            legal_form="filed_community",
            street=street,
            responsible_person="李四",
        )
        org_services.create_organisation(
            actor=None,
            name="新的组织乙",
            legal_form="filed_community",
            street=street,
            responsible_person="李四",
        )
    assert len(callbacks) == 1  # …the services' are; one bump per transaction, however many rows
    assert state(client.get("/", **A)) == "miss"
    assert state(client.get("/", **B)) == "hit" and version(hub_b) == before_b


def test_the_showcase_changes_when_a_service_says_so_not_when_rows_are_written(
    client, hub_a, django_capture_on_commit_callbacks
):
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        organisation = OrganisationFactory()
    client.get("/", **A)
    assert state(client.get("/", **A)) == "hit"
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True) as callbacks:
        Organisation.objects.filter(pk=organisation.pk).update(name="改名的组织")  # no service, no news
    assert callbacks == [] and state(client.get("/", **A)) == "hit"
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True) as callbacks:
        showcase.changed()  # all a new app (courses) has to do
        showcase.changed()
    assert len(callbacks) == 1
    assert state(client.get("/", **A)) == "miss"


def test_a_record_edited_in_the_back_office_invalidates(client, hub_a, django_capture_on_commit_callbacks):
    from incubator.areas.models import Street

    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        street = Street.objects.create(name="缓存街道")
        admin = UserFactory(email="streets@a.test", is_superuser=True, is_staff=True)
    client.get("/", **A)
    assert state(client.get("/", **A)) == "hit"
    editor = Client()
    editor.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        edited = editor.post(f"/admin/streets/edit/{street.pk}/", {"name": "改名的街道", "code": ""}, **A)
    assert edited.status_code == 302
    assert state(client.get("/", **A)) == "miss"


def test_renaming_the_hub_invalidates_its_pages(client, hub_a, hub_b, django_capture_on_commit_callbacks):
    client.get("/", **A)
    before_b = version(hub_b)
    with django_capture_on_commit_callbacks(execute=True):
        hub_a.name = "改名后的甲孵化基地"
        hub_a.save()
    page = client.get("/", **A)
    assert state(page) == "miss" and "改名后的甲孵化基地" in page.content.decode()
    assert version(hub_b) == before_b


def test_a_rolled_back_change_does_not_bump(client, hub_a, django_capture_on_commit_callbacks):
    client.get("/", **A)
    before = version(hub_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), tenant_context(hub_a), transaction.atomic():
            street = OrganisationFactory().street
            org_services.create_organisation(
                actor=None,
                name="撤回的组织",
                legal_form="filed_community",
                street=street,
                responsible_person="李四",
            )
            raise RuntimeError("changed my mind")
    assert callbacks == []
    assert version(hub_a) == before
    assert state(client.get("/", **A)) == "hit"


def test_uncommitted_changes_are_neither_served_from_nor_stored_in_the_cache(client, hub_a):
    client.get("/", **A)
    with tenant_context(hub_a):
        home = HomePage.objects.get()
        home.intro = "<p>尚未提交的介绍</p>"
        home.save_revision().publish()  # inside the test's transaction: no commit, no bump yet
    page = client.get("/", **A)
    assert state(page) == "bypass" and "尚未提交的介绍" in page.content.decode()


def test_a_signed_in_user_bypasses_the_cache_and_never_fills_it(client, hub_a, django_capture_on_commit_callbacks):
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        user = UserFactory(email="reader@a.test")
        client.force_login(user)
    signed_in = client.get("/", **A)
    assert signed_in.status_code == 200 and state(signed_in) == "bypass"
    assert state(client.get("/", **A)) == "bypass"
    # Nothing was stored: the first anonymous visitor still misses.
    assert state(Client().get("/", **A)) == "miss"
    assert state(Client().get("/", **A)) == "hit"
    assert state(client.get("/", **A)) == "bypass"  # and the signed-in user is still not served it


def test_other_personal_requests_bypass():
    with_messages = Client()
    with_messages.cookies["messages"] = "anything"
    assert state(with_messages.get("/", **A)) == "bypass"
    assert state(Client().get("/", HTTP_AUTHORIZATION="Basic eDp5", **A)) == "bypass"


def _tweak(change):
    def hook(serve):
        def inner(page, request, args, kwargs):
            response = serve(page, request, args, kwargs)
            change(request, response)
            return response

        return inner

    return hook


def _set_cookie(request, response):
    response.set_cookie("flavour", "chocolate")


def _write_session(request, response):
    request.session["seen"] = True


def _private(request, response):
    response["Cache-Control"] = "private"


def _not_html(request, response):
    response["Content-Type"] = "application/json"


def _vary_on_agent(request, response):
    response["Vary"] = "User-Agent"


@pytest.mark.parametrize("change", [_set_cookie, _write_session, _private, _not_html, _vary_on_agent])
def test_responses_that_must_not_be_shared_are_not_stored(change):
    with hooks.register_temporarily("on_serve_page", _tweak(change)):
        assert state(Client().get("/", **A)) == "miss"
        assert state(Client().get("/", **A)) == "miss"
    assert state(Client().get("/", **A)) == "miss"  # once the page is plain again, it is stored
    assert state(Client().get("/", **A)) == "hit"


def test_a_page_that_would_leak_the_csrf_secret_elsewhere_is_not_stored():
    from django.middleware.csrf import get_token

    def token_in_a_script(request, response):
        response.render()
        response.content += f"<script>const token = '{get_token(request)}';</script>".encode()

    with hooks.register_temporarily("on_serve_page", _tweak(token_in_a_script)):
        assert state(Client().get("/", **A)) == "miss"
        assert state(Client().get("/", **A)) == "miss"


def test_not_found_is_not_stored(client):
    for _ in range(2):
        missing = client.get("/no-such-page-here/", **A)
        assert missing.status_code == 404 and state(missing) == "miss"


def test_head_is_served_from_the_cache_but_does_not_fill_it(client):
    assert state(client.head("/", **A)) == "miss"
    assert state(client.get("/", **A)) == "miss"
    head = client.head("/", **A)
    assert head.status_code == 200 and state(head) == "hit"


def test_pagination_and_filters_are_cached_per_normalised_query(client):
    assert state(client.get("/?page=2&year=2025", **A)) == "miss"
    assert state(client.get("/?year=2025&page=2", **A)) == "hit"
    assert state(client.get("/?page=3&year=2025", **A)) == "miss"
    assert state(client.get("/", **A)) == "miss"


@pytest.mark.parametrize(
    "query",
    [
        "q=水",  # search: never cached
        "page=2&utm_source=wechat",  # a parameter outside the whitelist
        "page=2&page=3",  # repeated
        "page=" + "9" * 40,  # too long
        "page=<script>",  # not a plain value
        "page=abc",  # values no page understands: each would be a copy of the same page
        "page=0",
        "year=abcd",
        "street=x1",
        "field=nonsense",
        "tier=zzz",
    ],
)
def test_other_queries_bypass_the_cache(client, query):
    for _ in range(2):
        assert state(client.get(f"/?{query}", **A)) == "bypass"


def test_views_other_than_wagtail_pages_are_left_alone(client):
    floor = client.get("/_floor", **A)
    assert floor.status_code == 200 and floor.content == b"ok" and HEADER not in floor.headers


def test_a_preview_never_touches_the_cache(hub_a):
    with tenant_context(hub_a):
        preview = HomePage.objects.get().make_preview_request()
    assert preview.status_code == 200 and HEADER not in preview.headers
    assert state(Client().get("/", **A)) == "miss"


def test_what_anonymous_visitors_write_leaves_the_cache_alone(client, hub_a, django_capture_on_commit_callbacks):
    """Objections and appraisal ballots come from anyone: were they to bump the version, a script could keep
    the hub's cache empty. A ballot counts once its appraisal's results are published (they change)."""
    from incubator.projects import services as project_services
    from tests.cms.conftest import make_project

    def answer(device):
        project_services.cast_ballot(
            project=project, device_id=device, address="10.9.8.7", satisfaction=5, usefulness=4, took_part=True
        )

    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        project = make_project(status="appraisal")
        admin = UserFactory(email="appraisal@a.test", is_superuser=True)
    client.get("/", **A)
    assert state(client.get("/", **A)) == "hit"
    before = version(hub_a)
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        answer("d1")
    assert version(hub_a) == before and state(client.get("/", **A)) == "hit"

    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        project_services.publish_appraisal(actor=admin, project=project)
    assert version(hub_a) > before
    client.get("/", **A)
    published = version(hub_a)
    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        answer("d2")
    assert version(hub_a) > published and state(client.get("/", **A)) == "miss"


def test_objections_do_not_invalidate(client, hub_a, django_capture_on_commit_callbacks):
    import datetime

    from incubator.funding.models import Objection, PublicNotice
    from tests.cms.conftest import make_project

    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        application = make_project().application
        type(application).objects.filter(pk=application.pk).update(status="in_notice")
        notice = PublicNotice.objects.create(
            call=application.call, starts_on=datetime.date(2026, 11, 30), ends_on=datetime.date(2026, 12, 7)
        )
    client.get("/notices/", **A)
    before = version(hub_a)
    from incubator.funding import services as funding_services

    with tenant_context(hub_a), django_capture_on_commit_callbacks(execute=True):
        funding_services.lodge_objection(
            notice=notice,
            application_id=application.pk,
            name="居民",
            contact="13800000000",
            text="有异议",
            address="10.1.1.1",
            today=datetime.date(2026, 12, 1),
        )
    assert Objection.objects.filter(notice=notice).count() == 1
    assert version(hub_a) == before
    assert state(client.get("/notices/", **A)) == "hit"

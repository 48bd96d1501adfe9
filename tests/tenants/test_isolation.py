"""Nothing of one hub is reachable from another: ORM, host, session, cache key, file path."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context
from wagtail.models import Page, Site

from cms.models import ContentPage, HomePage
from incubator.accounts.models import User
from tests.conftest import HUB_A, HUB_B, PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


def test_rows_created_in_one_hub_are_invisible_in_the_other(hub_a, hub_b):
    with tenant_context(hub_a):
        UserFactory(email="only-in-a@example.cn")
        assert User.objects.filter(email="only-in-a@example.cn").exists()
    with tenant_context(hub_b):
        assert not User.objects.filter(email="only-in-a@example.cn").exists()
        # The same address may hold an unrelated account in the other hub.
        UserFactory(email="only-in-a@example.cn")
    with tenant_context(hub_a):
        assert User.objects.filter(email="only-in-a@example.cn").count() == 1


def test_each_host_serves_its_own_hub_only(client, hub_a):
    with tenant_context(hub_a):
        home = HomePage.objects.get()
        home.add_child(instance=ContentPage(title="甲的新闻", slug="news-a"))

    assert client.get("/news-a/", **A).status_code == 200
    assert client.get("/news-a/", **B).status_code == 404
    page_a, page_b = client.get("/", **A).content.decode(), client.get("/", **B).content.decode()
    assert HUB_A["name"] in page_a and HUB_B["name"] not in page_a
    assert HUB_B["name"] in page_b and HUB_A["name"] not in page_b


def test_a_session_from_one_hub_is_worthless_on_another(client):
    response = client.post("/admin/login/", {"username": HUB_A["admin_email"], "password": PASSWORD}, **A)
    assert response.status_code == 302, response.content[:500]
    assert client.get("/admin/", **A).status_code == 200
    # The test client sends every cookie to every host: exactly what an attacker would try.
    on_b = client.get("/admin/", **B)
    assert on_b.status_code == 302 and "/admin/login/" in on_b["Location"]


def test_the_same_credentials_do_not_open_another_hub(client):
    response = client.post("/admin/login/", {"username": HUB_A["admin_email"], "password": PASSWORD}, **B)
    assert response.status_code == 200  # the form again, with an error
    assert client.get("/admin/", **B).status_code == 302


def test_an_unknown_host_gets_a_proper_404_page(client):
    response = client.get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    assert "页面未找到" in response.content.decode()


def test_the_template_schema_is_not_reachable_even_if_given_a_domain(client):
    from tenants.models import Domain, Hub

    Domain.objects.create(domain="template.localhost", tenant=Hub.objects.get(is_template=True), is_primary=True)
    assert client.get("/", HTTP_HOST="template.localhost").status_code == 404


def test_cache_keys_are_per_hub(hub_a, hub_b):
    with tenant_context(hub_a):
        cache.set("figures", "甲", 30)
    with tenant_context(hub_b):
        assert cache.get("figures") is None
        cache.set("figures", "乙", 30)
    with tenant_context(hub_a):
        assert cache.get("figures") == "甲"


def test_wagtail_site_root_paths_do_not_leak_between_hubs(hub_a, hub_b):
    """Wagtail caches the site root paths under a fixed key; without the tenant key function hub B
    would be served hub A's sites (docs/architecture.md, Tenancy)."""
    cache.clear()
    with tenant_context(hub_a):
        paths_a = Site.get_site_root_paths()
    with tenant_context(hub_b):
        paths_b = Site.get_site_root_paths()
    assert [p.root_url for p in paths_a] == [f"http://{HUB_A['domain']}"]
    assert [p.root_url for p in paths_b] == [f"http://{HUB_B['domain']}"]


def test_uploads_live_under_the_hubs_own_folder_and_host(client, hub_a, hub_b):
    with tenant_context(hub_a):
        name = default_storage.save("reports/plan.txt", ContentFile("甲的计划".encode()))
        path = default_storage.path(name)
        url = default_storage.url(name)
    try:
        assert path.startswith(str(settings.MEDIA_ROOT / HUB_A["schema_name"]) + "/")
        assert url.startswith(f"/media/{HUB_A['schema_name']}/")
        assert client.get(url, **A).getvalue() == "甲的计划".encode()
        assert client.get(url, **B).status_code == 404
        # Nor by walking out of B's folder into A's.
        sneaky = f"/media/{HUB_B['schema_name']}/../{HUB_A['schema_name']}/{name}"
        assert client.get(sneaky, **B).status_code == 404
        with tenant_context(hub_b):
            assert not default_storage.exists(name)
    finally:
        with tenant_context(hub_a):
            default_storage.delete(name)


def test_sessions_and_accounts_are_kept_per_hub_in_settings():
    assert settings.SESSION_COOKIE_DOMAIN is None
    for app in ("django.contrib.auth", "django.contrib.sessions", "incubator.accounts"):
        assert app in settings.TENANT_APPS and app in settings.SHARED_APPS
    assert not getattr(settings, "SHOW_PUBLIC_IF_NO_TENANT_FOUND", False)
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"


def test_pages_are_real_wagtail_pages(hub_a):
    with tenant_context(hub_a):
        assert Page.objects.filter(depth=2).get().specific_class is HomePage

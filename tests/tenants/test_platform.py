import pytest

from tenants.models import Hub
from tests.conftest import HUB_A, HUB_B

pytestmark = pytest.mark.django_db


def test_platform_home_lists_live_hubs_only(client):
    page = client.get("/", HTTP_HOST="localhost").content.decode()
    assert HUB_A["name"] in page and HUB_B["name"] in page
    assert "Template" not in page


def test_platform_console_provisions_a_hub_and_shows_form_errors(client, django_user_model):
    from django_tenants.utils import schema_context

    with schema_context("public"):
        staff = django_user_model.objects.create_superuser(email="ops@platform.test", password="pw-123456789")
    client.force_login(staff)
    bad = client.post(
        "/admin/tenants/hub/add/",
        {"name": "x", "schema_name": "Public", "domain": "bad", "admin_email": "nope"},
        HTTP_HOST="localhost",
    )
    assert bad.status_code == 200
    assert not Hub.objects.filter(name="x").exists()
    good = client.post(
        "/admin/tenants/hub/add/",
        {
            "name": "硚口区社会组织孵化基地",
            "schema_name": "qiaokou",
            "domain": "qiaokou.localhost",
            "admin_email": "a@qiaokou.test",
        },
        HTTP_HOST="localhost",
    )
    assert good.status_code == 302, good.content.decode()[:2000]
    assert Hub.objects.get(schema_name="qiaokou").domains.get().domain == "qiaokou.localhost"


def test_beat_sends_per_hub_jobs_to_live_hubs_only():
    from config.beat import HubScheduler

    schemas = set(HubScheduler.get_queryset().values_list("schema_name", flat=True))
    assert {HUB_A["schema_name"], HUB_B["schema_name"]} <= schemas
    assert "public" not in schemas and "hub_template" not in schemas


@pytest.mark.parametrize("url", ["/favicon.ico", "/nonexistent", "/admin/cms/homepage/", "/admin/nope/nothing/"])
def test_unknown_urls_on_the_platform_host_are_404_not_500(client, django_user_model, url):
    from django_tenants.utils import schema_context

    assert client.get(url, HTTP_HOST="localhost").status_code in (302, 404)
    with schema_context("public"):
        staff = django_user_model.objects.create_superuser(email="ops404@platform.test", password="pw-123456789")
    client.force_login(staff)
    assert client.get(url, HTTP_HOST="localhost").status_code == 404

"""Django caches content types per database alias, but each schema numbers them its own way
(id 1 is tenants.hub in public and wagtailcore.page in a hub). One process serves both, so the
cache must also be keyed by schema, or Wagtail would resolve a page's type with public's meaning."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

pytestmark = pytest.mark.django_db


def own_row(model_id: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_label, model FROM django_content_type WHERE id = %s", [model_id])
        return cursor.fetchone()


def test_content_type_ids_resolve_within_the_current_schema(hub_a):
    ContentType.objects.clear_cache()
    with schema_context("public"):
        public_first = ContentType.objects.get_for_id(1)
        assert (public_first.app_label, public_first.model) == own_row(1)
    with tenant_context(hub_a):
        hub_first = ContentType.objects.get_for_id(1)
        assert (hub_first.app_label, hub_first.model) == own_row(1)
        assert hub_first.model_class() is not public_first.model_class()


def test_get_for_model_returns_each_schemas_own_row(hub_a):
    ContentType.objects.clear_cache()
    with schema_context("public"):
        public_group = ContentType.objects.get_for_model(Group)
    with tenant_context(hub_a):
        hub_group = ContentType.objects.get_for_model(Group)
        assert own_row(hub_group.pk) == ("auth", "group")
    assert public_group.pk != hub_group.pk or own_row(public_group.pk) == ("auth", "group")


def test_a_hub_page_has_its_own_type_after_public_code_warmed_the_cache(client, hub_a):
    from tests.conftest import HUB_A

    ContentType.objects.clear_cache()
    with schema_context("public"):
        for ct_id in ContentType.objects.values_list("pk", flat=True):
            ContentType.objects.get_for_id(ct_id)
    response = client.get("/", HTTP_HOST=HUB_A["domain"])
    assert response.status_code == 200 and HUB_A["name"] in response.content.decode()


def test_another_thread_in_public_cannot_poison_this_threads_lookups(hub_a):
    """The race gunicorn's threaded workers would hit: switch, another thread refills, look up."""
    import threading

    with tenant_context(hub_a):
        expected = own_row(1)

        def public_thread():
            # A new thread's connection starts in public; no switch, so nothing clears what it caches.
            assert connection.schema_name == "public"
            ContentType.objects.get_for_id(1)
            connection.close()

        worker = threading.Thread(target=public_thread)
        worker.start()
        worker.join()
        found = ContentType.objects.get_for_id(1)
        assert (found.app_label, found.model) == expected

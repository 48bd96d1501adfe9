import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from django_tenants.utils import schema_context, schema_exists, tenant_context
from wagtail.models import Site

from cms.models import HomePage
from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.audit.models import AuditEvent
from tenants.models import Domain, Hub
from tenants.services import ProvisioningError, provision_hub
from tests.conftest import HUB_A

pytestmark = pytest.mark.django_db

GOOD = {
    "schema_name": "wuchang",
    "name": "武昌区社会组织孵化基地",
    "domain": "wuchang.localhost",
    "admin_email": "Admin@Wuchang.test",
}


def provision(**overrides):
    return provision_hub(actor=None, send_welcome=False, **{**GOOD, **overrides})


def test_a_new_hub_is_a_complete_clone_with_site_roles_and_first_admin():
    hub = provision()

    assert schema_exists("wuchang")
    assert Domain.objects.get(domain="wuchang.localhost").tenant == hub
    with tenant_context(hub):
        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.site_name) == ("wuchang.localhost", "武昌区社会组织孵化基地")
        assert site.root_page.specific.__class__ is HomePage
        assert site.root_page.title == "武昌区社会组织孵化基地"
        assert set(Group.objects.filter(name__in=Role.values).values_list("name", flat=True)) == set(Role.values)
        admin = User.objects.get()
        assert admin.email == "admin@wuchang.test"
        assert admin.is_superuser and admin.groups.filter(name=Role.HUB_ADMIN).exists()
        assert admin.has_perm("wagtailadmin.access_admin")
        assert AuditEvent.objects.filter(action="hub.provisioned", subject_id=str(hub.pk)).exists()
        # The clone carries the template's migration history: nothing is left to apply.
        executor = MigrationExecutor(connection)
        assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_the_template_holds_no_users_and_answers_no_host():
    template = Hub.objects.get(is_template=True)
    assert not template.domains.exists()
    with schema_context(template.schema_name):
        assert not User.objects.exists()
    assert template not in Hub.objects.live()


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"schema_name": HUB_A["schema_name"]}, "schema_name", "already exists"),
        ({"domain": HUB_A["domain"]}, "domain", "already belongs"),
        ({"schema_name": "public"}, "schema_name", "reserved"),
        ({"schema_name": "pg_catalogue"}, "schema_name", "reserved"),
        ({"schema_name": "hub_template"}, "schema_name", "reserved"),
        ({"schema_name": "a" * 31}, "schema_name", "at most 30"),
        ({"schema_name": "WuChang"}, "schema_name", "lowercase"),
        ({"schema_name": "9lives"}, "schema_name", "start with a letter"),
        ({"schema_name": "wu-chang"}, "schema_name", "only lowercase letters"),
        ({"schema_name": ""}, "schema_name", "Enter a schema name"),
        ({"domain": "no_underscores.localhost"}, "domain", "not a valid domain"),
        ({"domain": "nodot"}, "domain", "not a valid domain"),
        ({"domain": "-lead.localhost"}, "domain", "not a valid domain"),
        ({"domain": "double..dot"}, "domain", "not a valid domain"),
        ({"domain": "localhost"}, "domain", "platform's own domain"),
        ({"admin_email": "not-an-address"}, "admin_email", "not a valid e-mail"),
        ({"name": "  "}, "name", "Enter the hub's name"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_creates_nothing(overrides, field, fragment):
    hubs_before = Hub.objects.count()
    domains_before = Domain.objects.count()

    with translation.override("en"), pytest.raises(ProvisioningError) as refused:
        provision(**overrides)

    assert any(fragment in message for message in refused.value.errors[field]), refused.value.errors
    assert Hub.objects.count() == hubs_before
    assert Domain.objects.count() == domains_before
    assert not schema_exists("wuchang")


def test_every_problem_is_reported_at_once():
    with pytest.raises(ProvisioningError) as refused:
        provision(schema_name="Bad", domain="bad", admin_email="bad", name="")
    assert set(refused.value.errors) == {"schema_name", "domain", "admin_email", "name"}


def test_messages_are_in_chinese_by_default():
    with pytest.raises(ProvisioningError) as refused:
        provision(schema_name="public")
    assert "保留" in refused.value.errors["schema_name"][0]


def test_a_failure_midway_leaves_no_schema_and_no_rows(monkeypatch, django_db_blocker):
    import incubator.accounts.services as account_services

    def broken(**kwargs):
        raise RuntimeError("mail server exploded while creating the admin")

    monkeypatch.setattr(account_services, "create_hub_admin", broken)
    with pytest.raises(RuntimeError):
        provision(schema_name="halfmade", domain="halfmade.localhost")

    assert not schema_exists("halfmade")
    assert not Hub.objects.filter(schema_name="halfmade").exists()
    assert not Domain.objects.filter(domain="halfmade.localhost").exists()


def test_create_hub_command_provisions_and_reports(capsys):
    call_command(
        "create_hub",
        "--schema",
        "hanyang",
        "--name",
        "汉阳区社会组织孵化基地",
        "--domain",
        "hanyang.localhost",
        "--admin-email",
        "admin@hanyang.test",
    )
    assert "http://hanyang.localhost" in capsys.readouterr().out
    assert Hub.objects.filter(schema_name="hanyang", name="汉阳区社会组织孵化基地").exists()


def test_create_hub_command_lists_every_problem():
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("create_hub", "--schema", "Public", "--name", "x", "--domain", "bad", "--admin-email", "nope")
    text = str(refused.value)
    assert "schema_name" in text and "domain" in text and "admin_email" in text

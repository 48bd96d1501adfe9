"""Provisioning as the command line runs it: no test transaction around it, so whatever a failure
leaves behind would really be committed. These tests take the database without pytest-django's
per-test transaction and leave nothing behind when they pass."""

import pytest
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_exists

import incubator.accounts.services as account_services
from tenants.models import Domain, Hub
from tenants.services import provision_hub


@pytest.fixture(autouse=True)
def autocommit_database(django_db_setup, django_db_blocker):
    """The session's test database, in autocommit: no per-test transaction to hide leftovers."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def provision(**spec):
    return provision_hub(actor=None, send_welcome=False, name="半成品", admin_email="a@half.test", **spec)


def test_a_failure_midway_outside_any_transaction_also_cleans_up(monkeypatch):
    """As from the command line: no test transaction around it, everything really committed or not."""
    monkeypatch.setattr(account_services, "create_hub_admin", lambda **kw: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        provision(schema_name="halfmade2", domain="halfmade2.localhost")
    assert not connection.in_atomic_block
    assert not schema_exists("halfmade2")
    assert not Hub.objects.filter(schema_name="halfmade2").exists()
    assert not Domain.objects.filter(domain="halfmade2.localhost").exists()


def test_without_a_template_a_failure_midway_also_removes_what_it_committed(monkeypatch):
    """The migrate-based path cannot be one transaction; its clean-up must still leave nothing."""
    monkeypatch.setattr(account_services, "create_hub_admin", lambda **kw: 1 / 0)
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False), pytest.raises(ZeroDivisionError):
        provision(schema_name="halfmade3", domain="halfmade3.localhost")
    assert not schema_exists("halfmade3")
    assert not Hub.objects.filter(schema_name="halfmade3").exists()
    assert not Domain.objects.filter(domain="halfmade3.localhost").exists()

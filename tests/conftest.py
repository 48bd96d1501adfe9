"""Fixtures shared by the whole suite.

Creating a hub costs about a second, so the test database gets its platform tenant, clone template and
two hubs once per session (docs/architecture.md, Tenancy). Tests then run inside pytest-django's per-test
transaction, switching schema with ``tenant_context`` or by host through the test client.
"""

import time

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from tenants.models import Hub

HUB_A = {
    "schema_name": "test_a",
    "name": "测试甲孵化基地",
    "domain": "a.localhost",
    "admin_email": "admin@a.test",
}
HUB_B = {
    "schema_name": "test_b",
    "name": "测试乙孵化基地",
    "domain": "b.localhost",
    "admin_email": "admin@b.test",
}
PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config):
    """Tests hash a password for nearly every person they create and every sign-in they try; PBKDF2's million
    rounds would cost the suite minutes and test nothing of ours. The production hashers stay listed, so a
    hash made by a real server still checks."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


def pytest_unconfigure(config):
    """`make test` leaves nothing running: the embedded PostgreSQL and Redis it started stop with it (a server
    that was already running, or a real one from DATABASE_URL, is left alone)."""
    from config import embedded

    embedded.stop_started()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tenants.services import provision_hub

    with django_db_blocker.unblock():
        # Never provision into a real database, whatever a test run selected.
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
        call_command("bootstrap", no_static=True)
        for spec in (HUB_A, HUB_B):
            provision_hub(actor=None, admin_password=PASSWORD, send_welcome=False, **spec)
        connection.set_schema_to_public()
    _flush_test_redis()


def _flush_test_redis():
    from django.core.cache import cache

    # The suite's own embedded Redis (var/test); clears queues and cache keys left by an earlier run.
    cache._cache.get_client(write=True).flushdb()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with empty rate-limit counters (sign-ins, resets, appraisals, objections): a limit
    filled by one test must not refuse the next one's requests."""
    clear_rate_limits()


def clear_rate_limits():
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match="*ratelimit:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def hub_a(db):
    return Hub.objects.get(schema_name=HUB_A["schema_name"])


@pytest.fixture
def hub_b(db):
    return Hub.objects.get(schema_name=HUB_B["schema_name"])


@pytest.fixture
def hub_a_admin(hub_a):
    from incubator.accounts.models import User

    with tenant_context(hub_a):
        return User.objects.get(email=HUB_A["admin_email"])


@pytest.fixture
def committed_hub(django_db_setup, django_db_blocker):
    """A hub created outside the test transaction, for code that runs in other threads (Celery worker).

    Dropped afterwards, schema and rows.
    """
    from tenants.services import provision_hub

    made = []

    def make(**overrides):
        spec = {
            "schema_name": f"tmp_{int(time.time() * 1000) % 10**9}",
            "name": "临时孵化基地",
            "admin_email": "admin@tmp.test",
            **overrides,
        }
        spec.setdefault("domain", f"{spec['schema_name'].replace('_', '-')}.localhost")
        with django_db_blocker.unblock():
            hub = provision_hub(actor=None, **spec)
        made.append(hub)
        return hub

    yield make
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for hub in made:
            hub.delete(force_drop=True)


@pytest.fixture
def celery_worker_thread(django_db_setup, django_db_blocker):
    """A real Celery worker consuming from the embedded Redis, in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with django_db_blocker.unblock():
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker


def wait_for(predicate, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


__all__ = ["HUB_A", "HUB_B", "PASSWORD", "schema_context", "tenant_context", "wait_for"]

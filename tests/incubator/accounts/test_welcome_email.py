"""The welcome e-mail is a tenant-aware Celery task that a real worker runs in the right hub's schema."""

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.tasks import send_welcome_email
from tests.conftest import HUB_A, wait_for

pytestmark = pytest.mark.celery_worker


def test_provisioning_queues_a_welcome_that_the_worker_sends_in_the_new_hubs_schema(
    committed_hub, celery_worker_thread, django_db_blocker
):
    mail.outbox.clear()
    hub = committed_hub(name="黄陂区社会组织孵化基地", admin_email="admin@huangpi.test")

    with django_db_blocker.unblock():
        with tenant_context(hub):
            admin = User.objects.get(email="admin@huangpi.test")
            wait_for(lambda: User.objects.get(pk=admin.pk).welcome_sent_at)
        # Hub A's first admin has the same primary key in its own schema; the task must not touch it.
        with tenant_context(hub.__class__.objects.get(schema_name=HUB_A["schema_name"])):
            other = User.objects.get(email=HUB_A["admin_email"])
            assert other.pk == admin.pk
            assert other.welcome_sent_at is None
        connection.set_schema_to_public()

    [message] = [m for m in mail.outbox if m.to == ["admin@huangpi.test"]]
    assert "黄陂区社会组织孵化基地" in message.subject
    assert f"http://{hub.schema_name.replace('_', '-')}.localhost" in message.body
    assert "/admin/password_reset/confirm/" in message.body  # the link to choose a password


def test_the_task_reports_the_schema_it_ran_in_and_sends_once(committed_hub, celery_worker_thread, django_db_blocker):
    hub = committed_hub(admin_email="admin@xinzhou.test", send_welcome=False)
    with django_db_blocker.unblock(), tenant_context(hub):
        admin_id = User.objects.get(email="admin@xinzhou.test").pk
    mail.outbox.clear()

    first = send_welcome_email.apply_async(args=[admin_id], headers={"_schema_name": hub.schema_name})
    assert first.get(timeout=20) == hub.schema_name
    again = send_welcome_email.apply_async(args=[admin_id], headers={"_schema_name": hub.schema_name})
    assert again.get(timeout=20) == hub.schema_name

    assert [m.to for m in mail.outbox] == [["admin@xinzhou.test"]]

"""Each person chooses how each kind of message reaches them; legally required notices always go out."""

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

from incubator.accounts.models import NotificationPreference, PendingDigestItem, User
from incubator.notifications import notify_users, send_digests
from tests.conftest import HUB_A, wait_for

A = {"HTTP_HOST": HUB_A["domain"]}


@pytest.mark.django_db
def test_the_settings_page_keeps_choices_but_not_for_required_notices(client, member):
    client.force_login(member)
    page = client.get("/portal/notifications/", **A).content.decode()
    assert 'name="reminder"' in page and 'name="decision"' not in page
    client.post("/portal/notifications/", {"reminder": "digest", "status": "none", "decision": "none"}, **A)
    chosen = dict(NotificationPreference.objects.filter(user=member).values_list("kind", "delivery"))
    assert chosen == {"reminder": "digest", "status": "none", "review": "immediate", "operations": "immediate"}


@pytest.mark.celery_worker
def test_immediate_digest_none_and_required_delivery_through_a_real_worker(
    committed_hub, celery_worker_thread, django_db_blocker
):
    hub = committed_hub(admin_email="admin@notify.test", send_welcome=False)
    mail.outbox.clear()
    with django_db_blocker.unblock(), tenant_context(hub):
        person = User.objects.create_user(email="person@notify.test", password="a-long-passphrase-1")
        NotificationPreference.objects.create(user=person, kind="reminder", delivery="digest")
        NotificationPreference.objects.create(user=person, kind="status", delivery="none")
        NotificationPreference.objects.create(user=person, kind="decision", delivery="none")  # ignored: required
        assert notify_users([person], "进度更新", "…", kind="status") == 0
        assert notify_users([person], "年报提醒一", "五月底前", kind="reminder") == 0
        assert notify_users([person], "年报提醒二", "还有七天", kind="reminder") == 0
        assert notify_users([person], "资助决定", "拟资助", kind="decision") == 1
        wait_for(lambda: any(m.subject == "资助决定" for m in mail.outbox))
        assert PendingDigestItem.objects.filter(user=person).count() == 2
        assert send_digests() == 1
        wait_for(lambda: any("年报提醒一" in m.body and "年报提醒二" in m.body for m in mail.outbox))
        assert not PendingDigestItem.objects.exists()
    connection.set_schema_to_public()
    subjects = [m.subject for m in mail.outbox if m.to == ["person@notify.test"]]
    assert "进度更新" not in subjects and len(subjects) == 2

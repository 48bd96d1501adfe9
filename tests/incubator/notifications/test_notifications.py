"""Each person chooses how each kind of message reaches them, in their own language; legally required notices
always go out; every event is declared once, with templates that render in both languages."""

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import get_template
from django.utils import translation
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.notifications import services
from incubator.notifications.events import EVENTS, get_event
from incubator.notifications.models import NotificationPreference, PendingDigestItem
from incubator.notifications.services import notify, render
from incubator.notifications.tasks import send_digests, send_notification
from tests.conftest import HUB_A, wait_for
from tests.factories import UserFactory

A = {"HTTP_HOST": HUB_A["domain"]}


@pytest.mark.django_db
def test_the_settings_page_keeps_choices_but_not_for_required_notices(client, member):
    client.force_login(member)
    page = client.get("/portal/notifications/", **A).content.decode()
    assert 'name="reminder"' in page and 'name="decision"' not in page
    client.post("/portal/notifications/", {"reminder": "digest", "status": "none", "decision": "none"}, **A)
    chosen = dict(NotificationPreference.objects.filter(user=member).values_list("kind", "delivery"))
    assert chosen == {"reminder": "digest", "status": "none", "review": "immediate", "operations": "immediate"}


def test_every_event_has_a_subject_and_a_body_that_render_in_both_languages():
    context = {
        "organisation": "社区互助会",
        "state": "x",
        "reason": "",
        "filing": "登记",
        "comments": "",
        "year": 2027,
        "date": "2027-05-31",
        "overdue": False,
        "title": "t",
        "call": "c",
        "project": "p",
        "excerpt": "e",
        "role": "r",
        "n": 1,
        "amount": "100.00",
        "kind": "k",
        "start": "s",
        "end": "e",
        "findings": "f",
        "requirement": "q",
        "answer": "a",
        "count": 2,
        "items": [],
    }
    for name in EVENTS:
        get_template(get_event(name).subject_template)
        get_template(get_event(name).body_template)
        zh_subject, _body = render(name, context, language="zh-hans")
        en_subject, _body = render(name, context, language="en")
        assert zh_subject and "\n" not in zh_subject, name
        assert en_subject and "\n" not in en_subject, name
    assert render("review.assigned", {"call": "2027"}, language="en")[0] == "Review assignment: 2027"
    assert render("review.assigned", {"call": "2027"}, language="zh-hans")[0] != "Review assignment: 2027"
    with pytest.raises(LookupError, match="events.py"):
        get_event("no.such.event")


@pytest.mark.django_db
def test_each_recipient_reads_the_message_in_their_own_language_not_the_senders(
    in_hub_a, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(send_notification, "apply_async", lambda args, headers: queued.append(tuple(args)))
    reader_en = UserFactory(email="en@notify.test", preferred_language="en")
    reader_zh = UserFactory(email="zh@notify.test", preferred_language="zh-hans")
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):  # the actor reads Chinese
        notify("review.assigned", to=[reader_en, reader_zh, reader_en], context={"call": "2027 call"})
    subjects = {user_ids[0]: subject for user_ids, subject, _body in queued}
    assert len(queued) == 2  # each person once
    assert subjects[reader_en.pk] == "Review assignment: 2027 call"
    assert "2027 call" in subjects[reader_zh.pk] and subjects[reader_zh.pk] != subjects[reader_en.pk]

    NotificationPreference.objects.create(user=reader_en, kind="reminder", delivery="digest")
    with django_capture_on_commit_callbacks(execute=True):
        notify("annual_report.due", to=[reader_en], context={"year": 2027, "date": "2027-05-31", "overdue": False})
    assert PendingDigestItem.objects.get(user=reader_en).body == "The 2027 annual report is due on 2027-05-31."
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 1
    assert queued[-1][1] == "Your daily digest: 1 messages"


@pytest.mark.django_db
def test_nothing_is_sent_for_a_transaction_that_rolls_back(in_hub_a, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import transaction

    queued = []
    monkeypatch.setattr(send_notification, "apply_async", lambda args, headers: queued.append(args))
    person = UserFactory(email="rollback@notify.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify("review.assigned", to=[person], context={"call": "c"})
            raise RuntimeError
        notify("review.assigned", to=[person], context={"call": "c"})
    assert len(callbacks) == 1 and len(queued) == 1  # the second, committed, only
    assert services.language_of(None) == "zh-hans"


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
        notify("incubation.changed", to=[person], context={"organisation": "进度更新", "state": "x"})
        notify("annual_report.due", to=[person], context={"year": 2031, "date": "2031-05-31", "overdue": False})
        notify("annual_report.due", to=[person], context={"year": 2032, "date": "2032-05-31", "overdue": False})
        notify("filing.changed", to=[person], context={"filing": "资助决定", "state": "拟资助"})
        wait_for(lambda: any("资助决定" in m.subject for m in mail.outbox))
        assert PendingDigestItem.objects.filter(user=person).count() == 2
        assert send_digests() == 1
        wait_for(lambda: any("2031" in m.body and "2032" in m.body for m in mail.outbox))
        assert not PendingDigestItem.objects.exists()
    connection.set_schema_to_public()
    messages = [m for m in mail.outbox if m.to == ["person@notify.test"]]
    assert not any("进度更新" in m.body for m in messages) and len(messages) == 2

"""The public objection form cannot be flooded (issue 10, finding 4): limits per address and per notice, a
length cap, operators mailed in moderation, identical objections resolved at once; input kept on error."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from incubator.audit.models import AuditEvent
from incubator.funding import services
from incubator.funding.models import Application, Objection, PublicNotice
from incubator.ratelimit import Limit
from tests.conftest import HUB_A, HUB_B
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


@pytest.fixture
def notice(open_call):
    today = datetime.date.today()
    for title in ("老人居家防跌倒", "儿童课后四点半"):
        Application.objects.create(call=open_call, organisation=OrganisationFactory(), title=title, status="in_notice")
    return PublicNotice.objects.create(call=open_call, starts_on=today, ends_on=today + datetime.timedelta(days=7))


def _object(client, notice, text="预算偏高", address="203.0.113.7", **extra):
    application = notice.call.applications.order_by("pk").first()
    data = {"application": application.pk, "name": "居民王某", "contact": "13800000000", "text": text, **extra}
    return client.post(f"/notices/{notice.pk}/", data, REMOTE_ADDR=address, **A)


def test_one_address_is_limited_and_keeps_what_it_typed(client, notice):
    limit = services.OBJECTIONS_PER_ADDRESS_AND_NOTICE.limit
    for n in range(limit):
        assert _object(client, notice, text=f"第{n}条意见").status_code == 302
    refused = _object(client, notice, text="再来一条")
    page = refused.content.decode()
    assert refused.status_code == 200 and "尝试次数过多" in page
    assert "再来一条" in page and "居民王某" in page  # nothing typed is lost
    assert Objection.objects.filter(notice=notice).count() == limit
    # Another address may still object.
    assert _object(client, notice, text="我也有意见", address="198.51.100.1").status_code == 302


def test_one_notice_is_limited_whatever_the_address(client, notice, monkeypatch):
    monkeypatch.setattr(services.notice, "OBJECTIONS_PER_NOTICE", Limit("objection-notice", limit=4, window=3600))
    for n in range(4):
        assert _object(client, notice, address=f"198.51.100.{n}").status_code == 302
    assert _object(client, notice, address="198.51.100.99").status_code == 200
    assert Objection.objects.filter(notice=notice).count() == 4


def test_the_length_is_capped_with_the_message_next_to_the_field(client, notice):
    long_text = "意" * (services.OBJECTION_MAX_LENGTH + 1)
    refused = _object(client, notice, text=long_text)
    page = refused.content.decode()
    assert refused.status_code == 200 and long_text in page
    assert 'class="field has-error"' in page and "2000" in page
    assert not Objection.objects.exists()
    with pytest.raises(ValidationError):
        services.lodge_objection(
            notice=notice, application_id=notice.call.applications.first().pk, name="王", contact="1", text=long_text
        )


def test_missing_fields_are_shown_beside_each_field(client, notice):
    page = _object(client, notice, text="", contact="").content.decode()
    assert page.count('class="field has-error"') == 2 and "居民王某" in page
    bogus = client.post(f"/notices/{notice.pk}/", {"application": "abc", "name": "x"}, **A)
    assert bogus.status_code == 200


def test_operators_are_mailed_about_the_first_few_only_with_an_excerpt(
    client, notice, operator, monkeypatch, django_capture_on_commit_callbacks
):
    from incubator.notifications.tasks import send_notification

    bodies = []
    monkeypatch.setattr(send_notification, "apply_async", lambda args, headers: bodies.append(args[2]))
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(services.OBJECTION_EMAILS_PER_NOTICE.limit + 3):
            services.lodge_objection(
                notice=notice,
                application_id=notice.call.applications.first().pk,
                name="王",
                contact="138",
                text="长" * 1500,
                address=f"192.0.2.{n}",
            )
    from incubator.permissions import operators

    operator_mails = [b for b in bodies if b.startswith("长")]
    assert len(operator_mails) == services.OBJECTION_EMAILS_PER_NOTICE.limit * operators().count()
    assert all(len(b) < 400 for b in operator_mails)


def test_identical_objections_are_resolved_at_once(client, notice, operator):
    application = notice.call.applications.order_by("pk").first()
    copies = [
        services.lodge_objection(
            notice=notice,
            application_id=application.pk,
            name=f"居民{n}",
            contact="138",
            text="预算  偏高",
            address=f"192.0.2.{n}",
        )
        for n in range(4)
    ]
    different = services.lodge_objection(
        notice=notice, application_id=application.pk, name="李", contact="139", text="选址不当", address="192.0.2.50"
    )
    client.force_login(operator)
    url = f"/admin/funding/calls/{notice.call.pk}/"
    page = client.get(url, **A).content.decode()
    assert page.count('data-action="resolve-objections"') == 2 and "4" in page
    answer = client.post(
        url, {"action": "dismiss", "objection": [o.pk for o in copies], "resolution": "经核实，预算合理"}, **A
    )
    assert answer.status_code == 302
    assert set(Objection.objects.filter(pk__in=[o.pk for o in copies]).values_list("status", flat=True)) == {
        "dismissed"
    }
    assert Objection.objects.get(pk=different.pk).status == "open"
    assert AuditEvent.objects.filter(action="objection.dismissed").count() == 4
    # Resolving again, or with ids that are not numbers, is refused without a 500.
    again = client.post(url, {"action": "dismiss", "objection": [copies[0].pk, "x"], "resolution": "再次"}, **A)
    assert again.status_code == 302
    assert client.post(url, {"action": "uphold", "objection": "abc", "resolution": "x"}, **A).status_code == 302
    assert Objection.objects.get(pk=different.pk).status == "open"


def test_a_notice_of_one_hub_takes_no_objection_on_the_other(client, notice):
    assert client.post(f"/notices/{notice.pk}/", {"text": "x"}, **B).status_code == 404

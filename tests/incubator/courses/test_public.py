"""The public pages of capacity building over HTTP: a waitlist offer by its link, QR sign-in on a phone,
certificate verification (masked, not indexed, rate-limited), and none of them reachable from another hub."""

import datetime

import pytest
import time_machine

from incubator.courses import services
from incubator.courses.models import Attendance, Enrolment
from incubator.courses.public_views import VERIFY_LIMIT
from tests.conftest import HUB_A, HUB_B
from tests.incubator.courses.conftest import person

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


@pytest.fixture
def english(client):
    client.cookies["hubs_language"] = "en"
    return client


def test_an_offer_is_accepted_on_its_page_once(english, operator, organisation, session):
    client = english
    people = [person(operator, organisation, n, email=f"p{n}@x.test") for n in range(4)]
    enrolments = [services.enrol(actor=operator, session=session, participant=p) for p in people]
    services.cancel_enrolment(actor=operator, enrolment=enrolments[0])
    token = Enrolment.objects.get(pk=enrolments[3].pk).offer_token
    page = client.get(f"/training/offers/{token}/", **A)
    assert page.status_code == 200 and page["X-Robots-Tag"].startswith("noindex")
    assert 'id="accept-offer"' in page.content.decode()
    assert client.get(f"/training/offers/{token}/", **B).status_code == 404  # another hub's host
    done = client.post(f"/training/offers/{token}/", {"choice": "accept"}, **A)
    assert 'id="offer-accepted"' in done.content.decode()
    assert Enrolment.objects.get(pk=enrolments[3].pk).status == "enrolled"
    again = client.post(f"/training/offers/{token}/", {"choice": "decline"}, **A)
    assert again.status_code == 200 and Enrolment.objects.get(pk=enrolments[3].pk).status == "enrolled"
    assert client.get("/training/offers/nonsense/", **A).status_code == 404


def test_sign_in_by_the_qr_code_on_a_phone_keeps_the_input_on_error(english, operator, organisation, session):
    client = english
    learner = person(operator, organisation, 1)
    services.enrol(actor=operator, session=session, participant=learner)
    with time_machine.travel(session.starts_at, tick=False):
        code = services.sign_in_code(session)
        url = f"/training/sign-in/{session.pk}/{code}/"
        assert client.get(url, **B).status_code == 404
        wrong = client.post(url, {"phone": "138 0013"}, **A)
        assert wrong.status_code == 200 and 'value="138 0013"' in wrong.content.decode()
        assert "11-digit" in wrong.content.decode()
        done = client.post(url, {"phone": learner.phone}, **A)
        assert 'id="signed-in"' in done.content.decode()
        assert Attendance.objects.get(participant=learner).status == "present"
    with time_machine.travel(session.starts_at + datetime.timedelta(days=1), tick=False):
        stale = client.get(url, **A)
        assert stale.status_code == 404 and 'id="sign-in-expired"' in stale.content.decode()


def test_a_certificate_is_verified_with_a_masked_name_and_no_more(english, operator, organisation, session):
    client = english
    learner = services.participant_for(
        actor=operator, name="张晓明", phone="13800138888", role="leader", organisation=organisation
    )
    services.enrol(actor=operator, session=session, participant=learner)
    with time_machine.travel(session.starts_at + datetime.timedelta(hours=1), tick=False):
        services.mark_attendance(actor=operator, session=session, participant=learner, status="present")
        certificate = services.issue_certificate(actor=operator, course=session.course, participant=learner)
    VERIFY_LIMIT.reset("127.0.0.1")
    page = client.get(f"/certificates/{certificate.code}/", **A)
    html = page.content.decode()
    assert page.status_code == 200 and "张*明" in html and "张晓明" not in html and learner.phone not in html
    assert 'name="robots" content="noindex"' in html and page["X-Robots-Tag"].startswith("noindex")
    assert 'id="certificate-valid"' in html
    services.revoke_certificate(actor=operator, certificate=certificate, reason="出勤记录有误")
    assert "出勤记录有误" in client.get(f"/certificates/{certificate.code}/", **A).content.decode()
    for _ in range(VERIFY_LIMIT.limit):
        client.get("/certificates/guessing/", **A)
    assert client.get(f"/certificates/{certificate.code}/", **A).status_code == 429
    VERIFY_LIMIT.reset("127.0.0.1")
    assert client.get(f"/certificates/{certificate.code}/", **B).status_code == 404  # last: B's schema stays set


def test_the_calendar_feeds_are_icalendar_and_the_personal_one_is_behind_its_token(
    client, operator, organisation, session
):
    from icalendar import Calendar

    learner = person(operator, organisation, 1)
    services.enrol(actor=operator, session=session, participant=learner)
    hub_feed = client.get("/training/calendar.ics", **A)
    assert hub_feed["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(hub_feed.content).walk("VEVENT")
    assert str(event["summary"]) == session.course.title
    assert event.decoded("dtstart") == session.starts_at and learner.phone.encode() not in hub_feed.content
    mine = client.get(f"/training/calendar/{learner.token}.ics", **A)
    assert len(Calendar.from_ical(mine.content).walk("VEVENT")) == 1
    assert client.get("/training/calendar/not-a-token.ics", **A).status_code == 404
    assert client.get(f"/training/calendar/{learner.token}.ics", **B).status_code == 404  # last: B's schema stays

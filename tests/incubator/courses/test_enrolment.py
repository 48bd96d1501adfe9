"""Enrolment by organisations, the per-organisation cap, and the waitlist that runs itself: strict order,
time-boxed offers accepted by a link, offers passing on, the hub promoting and removing with a reason
(issue 14, points 2 and 3)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incubator.audit.models import AuditEvent
from incubator.courses import services
from incubator.courses.models import Enrolment, EnrolmentSource, EnrolmentStatus, Participant
from incubator.workflow import TransitionError
from tests.factories import OrganisationFactory
from tests.incubator.courses.conftest import make_course, person

pytestmark = pytest.mark.django_db
E = EnrolmentStatus


def statuses(session):
    return [e.status for e in session.enrolments.order_by("joined_at", "id")]


def test_a_member_enrols_the_organisations_people_and_nobody_elses(org_member, organisation, session):
    leader = services.participant_for(
        actor=org_member, name="王敏", phone="+86 138-0013-8000", role="leader", organisation=organisation
    )
    assert leader.phone == "13800138000"
    enrolment = services.enrol(actor=org_member, session=session, participant=leader)
    assert enrolment.status == E.ENROLLED and enrolment.source == EnrolmentSource.PORTAL
    with pytest.raises(ValidationError) as twice:
        services.enrol(actor=org_member, session=session, participant=leader)
    assert "phone" in twice.value.message_dict
    other = OrganisationFactory(name="武汉春晖社会工作服务中心")
    with pytest.raises(ValidationError) as taken:  # another organisation's person, by their number
        services.participant_for(actor=org_member, name="冒名", phone="13800138000", role="leader", organisation=other)
    assert "phone" in taken.value.message_dict
    stranger = services.participant_for(
        actor=None, name="李华", phone="13900139000", role="finance", organisation=other
    )
    with pytest.raises(PermissionDenied):
        services.enrol(actor=org_member, session=session, participant=stranger)
    assert Participant.objects.get(phone="13800138000").name == "王敏"


@pytest.mark.parametrize("phone", ["12345", "2380013800", "138001380001", "电话", ""])
def test_a_phone_number_that_is_not_one_is_refused(org_member, organisation, phone):
    with pytest.raises(ValidationError) as refused:
        services.participant_for(actor=org_member, name="王敏", phone=phone, role="leader", organisation=organisation)
    assert "phone" in refused.value.message_dict
    assert not Participant.objects.exists()


def test_a_course_caps_the_seats_of_one_organisation(operator, org_member, organisation):
    course = make_course(operator, capacity=10, seats_per_organisation=2)
    session = course.sessions.get()
    for n in range(2):
        services.enrol(actor=org_member, session=session, participant=person(org_member, organisation, n))
    with pytest.raises(ValidationError) as capped:
        services.enrol(actor=org_member, session=session, participant=person(org_member, organisation, 3))
    assert "2" in str(capped.value)
    assert session.enrolments.count() == 2


def test_the_waitlist_offers_a_freed_seat_in_strict_order_and_the_offer_is_accepted_by_its_link(
    operator, org_member, organisation, session, sent, django_capture_on_commit_callbacks
):
    people = [person(org_member, organisation, n, email=f"p{n}@x.test") for n in range(6)]
    enrolments = [services.enrol(actor=org_member, session=session, participant=p) for p in people]
    assert statuses(session) == [E.ENROLLED] * 3 + [E.WAITLISTED] * 3
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(actor=org_member, enrolment=enrolments[1])
    first_waiting = Enrolment.objects.get(pk=enrolments[3].pk)
    assert first_waiting.status == E.OFFERED and first_waiting.offer_token
    expected = timezone.now() + datetime.timedelta(hours=24)
    assert abs((first_waiting.offer_expires_at - expected).total_seconds()) < 60
    [offer_mail] = [m for m in sent if m[0] == "p3@x.test"]
    assert f"/training/offers/{first_waiting.offer_token}/" in offer_mail[2]
    # The seat is held: a newcomer joins the end of the list, never overtaking.
    newcomer = services.enrol(actor=org_member, session=session, participant=person(org_member, organisation, 9))
    assert newcomer.status == E.WAITLISTED
    services.accept_offer(token=first_waiting.offer_token)
    assert Enrolment.objects.get(pk=first_waiting.pk).status == E.ENROLLED
    with pytest.raises(TransitionError):
        services.accept_offer(token=first_waiting.offer_token)  # once
    with pytest.raises(TransitionError):
        services.accept_offer(token="not-a-token")
    event = AuditEvent.objects.filter(action="enrolment.accept").get()
    assert (event.from_state, event.to_state) == ("offered", "enrolled")


def test_an_offer_not_taken_in_time_passes_to_the_next(operator, org_member, organisation, session, sent):
    people = [person(org_member, organisation, n, email=f"p{n}@x.test") for n in range(5)]
    enrolments = [services.enrol(actor=org_member, session=session, participant=p) for p in people]
    services.cancel_enrolment(actor=org_member, enrolment=enrolments[0])
    offered = Enrolment.objects.get(pk=enrolments[3].pk)
    assert offered.status == E.OFFERED
    assert services.expire_offers(now=timezone.now()) == 0  # not yet
    assert services.expire_offers(now=offered.offer_expires_at + datetime.timedelta(seconds=1)) == 1
    assert Enrolment.objects.get(pk=enrolments[3].pk).status == E.EXPIRED
    assert Enrolment.objects.get(pk=enrolments[4].pk).status == E.OFFERED
    with pytest.raises(TransitionError):
        services.accept_offer(token=offered.offer_token)


def test_the_hub_promotes_and_removes_by_hand_with_a_reason(operator, org_member, organisation, session):
    people = [person(org_member, organisation, n) for n in range(5)]
    enrolments = [services.enrol(actor=org_member, session=session, participant=p) for p in people]
    with pytest.raises(TransitionError):  # full: nobody is given a seat that does not exist
        services.promote(actor=operator, enrolment=enrolments[4], reason="项目负责人")
    with pytest.raises(TransitionError):
        services.remove_enrolment(actor=operator, enrolment=enrolments[0], reason="")
    with pytest.raises(PermissionDenied):
        services.remove_enrolment(actor=org_member, enrolment=enrolments[0], reason="x")
    services.remove_enrolment(actor=operator, enrolment=enrolments[0], reason="重复报名")
    assert statuses(session) == [E.REMOVED, E.ENROLLED, E.ENROLLED, E.OFFERED, E.WAITLISTED]
    services.change_capacity(actor=operator, session=session, capacity=4)
    assert statuses(session)[4] == E.OFFERED  # the new seat goes to the next in line
    services.change_capacity(actor=operator, session=session, capacity=5)
    six = services.enrol(actor=org_member, session=session, participant=person(org_member, organisation, 7))
    assert six.status == E.ENROLLED  # a free seat and nobody waiting
    seventh = services.enrol(actor=org_member, session=session, participant=person(org_member, organisation, 8))
    services.change_capacity(actor=operator, session=session, capacity=6)
    seventh.refresh_from_db()
    assert seventh.status == E.OFFERED
    assert AuditEvent.objects.filter(action="enrolment.remove", reason="重复报名").exists()


def test_enrolling_in_a_whole_course_takes_each_session_to_come(operator, org_member, organisation):
    course = make_course(operator, sessions=3)
    learner = person(org_member, organisation, 1)
    enrolments = services.enrol_in_course(actor=org_member, course=course, participant=learner)
    assert len(enrolments) == 3 and {e.status for e in enrolments} == {E.ENROLLED}
    assert services.enrol_in_course(actor=org_member, course=course, participant=learner) == []


def test_residents_enrol_through_the_public_form_only_where_the_course_allows(operator, in_hub_a):
    closed = make_course(operator).sessions.get()
    resident = services.participant_for(actor=None, name="张三", phone="13700137000", role="resident")
    with pytest.raises(PermissionDenied):
        services.enrol(actor=None, session=closed, participant=resident, source=EnrolmentSource.PUBLIC)
    open_one = make_course(operator, public_enrolment=True, title="社区志愿者培训").sessions.get()
    assert services.enrol(actor=None, session=open_one, participant=resident, source="public").status == E.ENROLLED
    with pytest.raises(PermissionDenied):  # a person outside any organisation is the hub's to enrol otherwise
        services.enrol(actor=None, session=open_one, participant=resident, source=EnrolmentSource.PORTAL)


def test_the_beat_task_passes_expired_offers_on(operator, org_member, organisation, session):
    import time_machine

    from incubator.courses.tasks import expire_offers

    enrolments = [
        services.enrol(actor=org_member, session=session, participant=person(org_member, organisation, n))
        for n in range(5)
    ]
    services.cancel_enrolment(actor=org_member, enrolment=enrolments[0])
    offered = Enrolment.objects.get(pk=enrolments[3].pk)
    with time_machine.travel(offered.offer_expires_at + datetime.timedelta(minutes=5), tick=False):
        assert expire_offers() == 1
    assert statuses(session)[3:] == [E.EXPIRED, E.OFFERED]


def test_reminders_go_the_day_before_and_two_hours_before_once_each(
    operator, org_member, organisation, session, sent, django_capture_on_commit_callbacks
):
    import time_machine

    seated = [person(org_member, organisation, n, email=f"p{n}@x.test") for n in range(4)]
    for learner in seated:
        services.enrol(actor=org_member, session=session, participant=learner)  # the fourth waits
    sent.clear()
    day_before = session.starts_at - datetime.timedelta(days=1)
    with time_machine.travel(day_before, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 3
        assert services.send_reminders() == 0  # once
    assert sorted(m[0] for m in sent) == ["p0@x.test", "p1@x.test", "p2@x.test"]
    with time_machine.travel(session.starts_at - datetime.timedelta(hours=1), tick=False):
        assert services.send_reminders() == 3
        assert services.send_reminders() == 0

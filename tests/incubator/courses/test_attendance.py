"""Sign-in by a QR code that rotates and expires, with a frozen clock; walk-ins; the roster in minutes;
feedback once per attendee; certificates with their rule, PDF (font embedded), masked verification, revocation
and the milestone they tick (issue 14, points 4 to 6 and 8)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from incubator.audit.models import AuditEvent
from incubator.courses import services
from incubator.courses.models import Attendance, Certificate, MilestoneCourse, Participant
from incubator.workflow import TransitionError
from tests.factories import CohortFactory
from tests.incubator.courses.conftest import make_course, person
from tests.pdfs import pdf_fonts, pdf_text, squash

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(operator, organisation, session):
    learner = person(operator, organisation, 1)
    services.enrol(actor=operator, session=session, participant=learner)
    return learner


def test_the_qr_code_rotates_and_is_not_good_the_next_day(session, seated):
    with time_machine.travel(session.starts_at - datetime.timedelta(minutes=5), tick=False):
        code = services.sign_in_code(session)
        with pytest.raises(ValidationError) as bad_phone:
            services.sign_in(session=session, code=code, phone="12345")
        assert "phone" in bad_phone.value.message_dict
        attendance = services.sign_in(session=session, code=code, phone=seated.phone)
    assert attendance.status == "present" and attendance.minutes == session.minutes and not attendance.walk_in
    # Ten minutes on, the code has turned but the one before is still taken; later it is not.
    with time_machine.travel(session.starts_at + datetime.timedelta(minutes=7), tick=False):
        assert services.code_is_current(session, code)
    with time_machine.travel(session.starts_at + datetime.timedelta(minutes=30), tick=False):
        assert not services.code_is_current(session, code)
        with pytest.raises(TransitionError):
            services.sign_in(session=session, code=code, phone="13900001111", name="路人")
    with time_machine.travel(session.starts_at + datetime.timedelta(days=1), tick=False):
        tomorrow = services.sign_in_code(session)
        with pytest.raises(TransitionError):  # a fresh code, but the session is over
            services.sign_in(session=session, code=tomorrow, phone=seated.phone)


def test_a_code_of_another_session_signs_nobody_in(operator, organisation, session, seated):
    other = make_course(operator, title="志愿者管理").sessions.get()
    with time_machine.travel(session.starts_at, tick=False):
        with pytest.raises(TransitionError):
            services.sign_in(session=session, code=services.sign_in_code(other), phone=seated.phone)
    assert not Attendance.objects.exists()


def test_walk_ins_and_late_comers_are_recorded_as_such(session, seated):
    late = session.starts_at + datetime.timedelta(minutes=60)
    with time_machine.travel(late, tick=False):
        code = services.sign_in_code(session)
        attendance = services.sign_in(session=session, code=code, phone=seated.phone)
        assert (attendance.status, attendance.minutes) == ("late", session.minutes - 60)
        with pytest.raises(ValidationError) as nameless:
            services.sign_in(session=session, code=code, phone="13900001111")
        assert "name" in nameless.value.message_dict
        walk_in = services.sign_in(session=session, code=code, phone="13900001111", name="路人甲")
        again = services.sign_in(session=session, code=code, phone="13900001111")
    assert walk_in.walk_in and again.pk == walk_in.pk
    assert Participant.objects.get(phone="13900001111").role == "resident"


def test_the_roster_counts_minutes_and_refuses_impossible_ones(operator, org_member, session, seated):
    with time_machine.travel(session.starts_at + datetime.timedelta(hours=1), tick=False):
        with pytest.raises(PermissionDenied):
            services.mark_attendance(actor=org_member, session=session, participant=seated, status="present")
        with pytest.raises(ValidationError) as no_minutes:
            services.mark_attendance(actor=operator, session=session, participant=seated, status="left_early")
        assert "minutes" in no_minutes.value.message_dict
        with pytest.raises(ValidationError):
            services.mark_attendance(
                actor=operator, session=session, participant=seated, status="late", minutes=session.minutes
            )
        marked = services.mark_attendance(
            actor=operator, session=session, participant=seated, status="left_early", minutes=90
        )
        assert marked.minutes == 90
        absent = services.mark_attendance(actor=operator, session=session, participant=seated, status="excused")
    assert absent.minutes == 0
    event = AuditEvent.objects.filter(action="attendance.marked").order_by("id").last()
    assert (event.from_state, event.to_state) == ("left_early", "excused")


def test_feedback_once_per_attendee_after_the_session(operator, session, seated):
    answers = {"content": 5, "trainer": 4, "organisation": 5}
    with pytest.raises(TransitionError):
        services.give_feedback(session=session, participant=seated, answers=answers)
    with time_machine.travel(session.starts_at, tick=False):
        services.sign_in(session=session, code=services.sign_in_code(session), phone=seated.phone)
    with time_machine.travel(session.ends_at + datetime.timedelta(hours=1), tick=False):
        with pytest.raises(ValidationError) as out_of_scale:
            services.give_feedback(session=session, participant=seated, answers={**answers, "trainer": 6})
        assert "trainer" in out_of_scale.value.message_dict
        services.give_feedback(session=session, participant=seated, answers=answers, comment="案例很实用")
        with pytest.raises(TransitionError):
            services.give_feedback(session=session, participant=seated, answers=answers)
    results = services.feedback_results(session.feedback.all())
    assert results["answers"] == 1
    assert [q["average"] for q in results["questions"]] == [5, 4, 5]
    assert results["questions"][1]["spread"] == [0, 0, 0, 1, 0]


def test_a_certificate_needs_the_attendance_rule_ticks_the_milestone_and_can_be_revoked(
    operator, organisation, org_member
):
    from incubator.orgs import services as org_services

    course = make_course(operator, sessions=2, hours="6", title="财务管理实务", topic="finance")
    first, second = course.sessions.all()
    learner = person(operator, organisation, 1, role="finance")
    services.enrol_in_course(actor=operator, course=course, participant=learner)
    incubation = org_services.apply_for_incubation(actor=org_member, organisation=organisation, needs="财务规范")
    incubation = org_services.admit(actor=operator, incubation=incubation, cohort=CohortFactory())
    milestone = org_services.add_milestone(
        actor=operator, incubation=incubation, title="完成财务管理培训", due_on=first.starts_at.date()
    )
    MilestoneCourse.objects.create(milestone=milestone, course=course)
    with time_machine.travel(first.starts_at + datetime.timedelta(hours=1), tick=False):
        services.mark_attendance(actor=operator, session=first, participant=learner, status="present")
        with pytest.raises(TransitionError):  # 50 % of the course so far, the rule is 80 %
            services.issue_certificate(actor=operator, course=course, participant=learner)
    with time_machine.travel(second.starts_at + datetime.timedelta(hours=1), tick=False):
        services.mark_attendance(
            actor=operator, session=second, participant=learner, status="late", minutes=second.minutes - 60
        )
        [certificate] = services.issue_due_certificates(actor=operator, course=course)
    assert certificate.attended_percent == 83 and certificate.hours.normalize() == 5
    assert len(certificate.code) >= 20
    milestone.refresh_from_db()
    assert milestone.done_on == certificate.issued_on
    assert services.masked_name("张晓明") == "张*明" and services.masked_name("王敏") == "王*"
    url = f"http://a.localhost/certificates/{certificate.code}/"
    pdf = services.certificate_pdf(certificate, verify_url=url, hub_name="测试甲孵化基地")
    text = squash(pdf_text(pdf))
    assert learner.name in text and "财务管理实务" in text and certificate.code in text
    fonts = pdf_fonts(pdf)
    assert fonts and all(f["subtype"] == "/TrueType" and f["embedded"] == "FontFile2" for f in fonts), fonts
    with pytest.raises(ValidationError):
        services.revoke_certificate(actor=operator, certificate=certificate, reason="")
    services.revoke_certificate(actor=operator, certificate=certificate, reason="出勤记录有误")
    assert not Certificate.objects.get(pk=certificate.pk).valid
    assert services.certificate_by_code(certificate.code).revoke_reason == "出勤记录有误"
    assert services.certificate_by_code("x" * 40) is None


def test_a_call_that_requires_a_course_refuses_organisations_without_its_certificate(
    operator, organisation, org_member
):
    from incubator.funding import services as funding_services
    from tests.factories import CallFactory

    course = make_course(operator, title="公益项目设计", hours="3")
    session = course.sessions.get()
    call = CallFactory()
    call.required_courses.set([course])
    with pytest.raises(ValidationError) as refused:
        funding_services.start_application(actor=org_member, call=call, organisation=organisation)
    assert "公益项目设计" in str(refused.value)
    learner = person(operator, organisation, 1, role="project")
    services.enrol(actor=operator, session=session, participant=learner)
    with time_machine.travel(session.starts_at + datetime.timedelta(hours=1), tick=False):
        services.mark_attendance(actor=operator, session=session, participant=learner, status="present")
        services.issue_certificate(actor=operator, course=course, participant=learner)
    assert funding_services.eligibility_problems(call, organisation) == []
    assert funding_services.start_application(actor=org_member, call=call, organisation=organisation).pk

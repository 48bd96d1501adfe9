"""Operators plan training: courses, sessions and weekly series that skip statutory holidays, publishing and
cancelling with a reason (issue 14, point 1)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incubator.audit.models import AuditEvent
from incubator.courses import services
from incubator.courses.models import CourseStatus, EnrolmentStatus, SessionStatus
from incubator.workflow import TransitionError
from tests.incubator.courses.conftest import at, make_course, person

pytestmark = pytest.mark.django_db


def test_a_series_skips_statutory_holidays_but_not_weekends(operator):
    # Thursdays from 24 September 2026: 1 October is 国庆节 and is skipped; the series keeps its time of day.
    kept, skipped = services.series_dates(datetime.date(2026, 9, 24), datetime.date(2026, 10, 22))
    assert datetime.date(2026, 10, 1) in skipped
    assert kept[0] == datetime.date(2026, 9, 24) and datetime.date(2026, 10, 22) in kept
    saturdays, none = services.series_dates(datetime.date(2026, 7, 4), datetime.date(2026, 7, 25))
    assert len(saturdays) == 4 and none == []  # training on Saturdays is usual; only holidays are skipped
    dragon_boat = services.series_dates(datetime.date(2026, 6, 13), datetime.date(2026, 6, 27))
    assert dragon_boat == ([datetime.date(2026, 6, 13), datetime.date(2026, 6, 27)], [datetime.date(2026, 6, 20)])
    course = services.save_course(actor=operator, title="财务管理", topic="finance", hours="2")
    first = timezone.make_aware(datetime.datetime(2026, 9, 24, 14, 30))
    sessions, skipped = services.add_series(
        actor=operator,
        course=course,
        first_starts_at=first,
        ends_at=first + datetime.timedelta(hours=2),
        until=datetime.date(2026, 10, 22),
        capacity=30,
        venue="孵化基地培训室",
    )
    assert len(sessions) == len(kept) and skipped == [datetime.date(2026, 10, 1)]
    assert {timezone.localtime(s.starts_at).time() for s in sessions} == {datetime.time(14, 30)}
    assert {s.minutes for s in sessions} == {120}


def test_bad_sessions_are_refused_with_the_problem_on_its_field(operator):
    course = services.save_course(actor=operator, title="筹款", topic="fundraising", hours="2")
    with pytest.raises(ValidationError) as backwards:
        services.add_session(
            actor=operator, course=course, starts_at=at(3, 15), ends_at=at(3, 14), capacity=10, venue="x"
        )
    assert "ends_at" in backwards.value.message_dict
    with pytest.raises(ValidationError) as nowhere:
        services.add_session(actor=operator, course=course, starts_at=at(3, 14), ends_at=at(3, 15), capacity=10)
    assert "venue" in nowhere.value.message_dict
    with pytest.raises(ValidationError) as no_seat:
        services.add_session(
            actor=operator, course=course, starts_at=at(3, 14), ends_at=at(3, 15), capacity=0, venue="x"
        )
    assert "capacity" in no_seat.value.message_dict
    with pytest.raises(ValidationError) as hours:
        services.save_course(actor=operator, title="x", topic="finance", hours="0")
    assert "hours" in hours.value.message_dict
    assert not course.sessions.exists()


def test_only_operators_plan(org_member):
    with pytest.raises(PermissionDenied):
        services.save_course(actor=org_member, title="党建", topic="party_building", hours="1")


def test_a_course_is_published_with_a_session_and_cancelled_with_a_reason_told_to_everyone(
    operator, organisation, sent, django_capture_on_commit_callbacks
):
    course = make_course(operator, publish=False, sessions=0)
    with pytest.raises(TransitionError):
        services.publish_course(actor=operator, course=course)
    course = make_course(operator, capacity=1)
    session = course.sessions.get()
    with django_capture_on_commit_callbacks(execute=True):
        seated = services.enrol(
            actor=operator, session=session, participant=person(operator, organisation, 1, email="a@x.test")
        )
        waiting = services.enrol(
            actor=operator, session=session, participant=person(operator, organisation, 2, email="b@x.test")
        )
    assert (seated.status, waiting.status) == (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
    with pytest.raises(TransitionError):
        services.cancel_course(actor=operator, course=course, reason="")
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_course(actor=operator, course=course, reason="讲师因病，课程延期")
    course.refresh_from_db()
    assert course.status == CourseStatus.CANCELLED and course.cancel_reason == "讲师因病，课程延期"
    assert session.__class__.objects.get(pk=session.pk).status == SessionStatus.CANCELLED
    assert set(session.enrolments.values_list("status", flat=True)) == {EnrolmentStatus.CANCELLED}
    assert sorted(address for address, _subject, body in sent if "讲师因病" in body) == ["a@x.test", "b@x.test"]
    assert AuditEvent.objects.filter(action="course.cancel").exists()


def test_fewer_seats_than_are_held_is_refused_and_more_seats_go_to_the_waitlist(operator, organisation, session):
    people = [person(operator, organisation, n) for n in range(5)]
    enrolments = [services.enrol(actor=operator, session=session, participant=p) for p in people]
    assert [e.status for e in enrolments] == ["enrolled"] * 3 + ["waitlisted"] * 2
    with pytest.raises(ValidationError) as fewer:
        services.change_capacity(actor=operator, session=session, capacity=2)
    assert "capacity" in fewer.value.message_dict
    services.change_capacity(actor=operator, session=session, capacity=4)
    statuses = [e.status for e in session.enrolments.order_by("joined_at", "id")]
    assert statuses == ["enrolled"] * 3 + ["offered", "waitlisted"]  # the first waiting gets the new seat

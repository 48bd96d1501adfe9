"""Fixtures for capacity building: a published course with a session, organisations and their people."""

import datetime

import pytest
from django.utils import timezone

from incubator.accounts.roles import Role
from incubator.courses import services
from tests.factories import UserFactory


def at(days: int, hour: int = 14, minute: int = 0) -> datetime.datetime:
    """``days`` from today at that time of day, Asia/Shanghai."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def sent(monkeypatch):
    """The e-mails sent to participants' addresses, as (address, subject, body)."""
    from incubator.notifications.tasks import send_to_address

    mails = []
    monkeypatch.setattr(send_to_address, "apply_async", lambda args, headers: mails.append(tuple(args)))
    return mails


def make_course(operator, *, capacity=3, publish=True, sessions=1, **fields):
    values = {"title": "公益项目设计与申报", "topic": "project_management", "hours": "3", "trainer": "汤老师", **fields}
    course = services.save_course(actor=operator, **values)
    for n in range(sessions):
        services.add_session(
            actor=operator,
            course=course,
            starts_at=at(7 + n * 7),
            ends_at=at(7 + n * 7, 17),
            capacity=capacity,
            venue="江岸区社会组织孵化基地 2 楼培训室",
        )
    if publish:
        course = services.publish_course(actor=operator, course=course)
    return course


@pytest.fixture
def course(operator):
    return make_course(operator)


@pytest.fixture
def session(course):
    return course.sessions.get()


@pytest.fixture
def org_member(organisation):
    return UserFactory(email="member@courses.test", roles=[Role.ORGANISATION_MEMBER], member_of=organisation)


def person(actor, organisation, n, role="project", email=""):
    return services.participant_for(
        actor=actor, name=f"学员{n}", phone=f"1380013{n:04d}", role=role, organisation=organisation, email=email
    )

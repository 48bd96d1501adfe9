"""Training hours (学时) and records: per organisation and role, partial attendance giving partial hours, the
organisations without training and the roles short of the hub's targets, in a fixed number of queries
(issue 14, point 7)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from incubator.courses import selectors, services
from incubator.courses.models import PersonRole, TrainingTarget
from tests.factories import OrganisationFactory
from tests.incubator.courses.conftest import make_course, person

pytestmark = pytest.mark.django_db


def _attend(operator, session, participant, status="present", minutes=None):
    services.enrol(actor=operator, session=session, participant=participant)
    with time_machine.travel(session.starts_at + datetime.timedelta(hours=1), tick=False):
        services.mark_attendance(
            actor=operator, session=session, participant=participant, status=status, minutes=minutes
        )


def test_hours_per_organisation_and_role_and_the_gaps_against_targets(
    operator, organisation, django_assert_num_queries
):
    course = make_course(operator, sessions=2, hours="6", capacity=10)  # two sessions of 3 h: 3 学时 each
    first, second = course.sessions.all()
    leader = person(operator, organisation, 1, role="leader")
    finance = person(operator, organisation, 2, role="finance")
    _attend(operator, first, leader)
    _attend(operator, second, leader, status="left_early", minutes=90)  # half of the session: 1.5 学时
    _attend(operator, first, finance, status="absent")
    idle = OrganisationFactory(name="武汉随艺手工生活馆")
    year = first.starts_at.year
    with django_assert_num_queries(8):  # four reads, each after the tenant's SET search_path
        report = selectors.hours_report(year)
    [row] = report
    assert row["organisation"] == organisation.name and row["times"] == 2 and row["hours"] == Decimal("4.5")
    leader_label, finance_label = PersonRole.LEADER.label, PersonRole.FINANCE.label
    assert dict(row["by_role"]) == {leader_label: {"times": 2, "hours": Decimal("4.5")}}
    TrainingTarget.objects.create(year=year, role="leader", sessions=2)
    TrainingTarget.objects.create(year=year, role="finance", sessions=1)
    gaps = selectors.training_gaps(year, [organisation, idle])
    assert [(g["organisation"].name, g["trained"]) for g in gaps] == [(organisation.name, True), (idle.name, False)]
    assert gaps[0]["missing"] == [(finance_label, 0, 1)]  # the leader met the target; finance did not attend
    assert len(gaps[1]["missing"]) == 2

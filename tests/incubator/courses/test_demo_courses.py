"""Each demo hub's 公益学院, loaded through the real services: every state has content."""

import pytest

from incubator.courses.demo import load_courses_demo
from incubator.courses.models import Attendance, Certificate, Course, Enrolment, FeedbackAnswer

pytestmark = pytest.mark.django_db


def test_the_demo_academy_has_held_and_coming_courses_with_a_waitlist_and_certificates(operator, organisation):
    from tests.factories import OrganisationFactory

    OrganisationFactory.create_batch(3)
    assert load_courses_demo("test_a") is True
    assert load_courses_demo("test_a") is False  # once
    assert Course.objects.filter(status="published").count() == 3
    assert Attendance.objects.filter(status="late").count() == 1
    assert Attendance.objects.filter(status="absent").count() == 1
    assert FeedbackAnswer.objects.count() == 8
    assert Certificate.objects.count() == 5  # the absent one reached 50 % of the course, below its 80 %
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert {"enrolled", "waitlisted", "offered", "cancelled"} <= statuses
    assert Course.objects.get(topic="volunteers").public_enrolment

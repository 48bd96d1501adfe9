"""Demo content of capacity building: each demo hub's 公益学院, drawn from the seeds.

江岸's academy trains organisations before its 公益创投 call (seed 002: project design, then the financial
management the contracts ask for); seed 001 asks for the training of organisations' leaders and backbone
members (负责人和骨干), volunteer management among them. Each hub gets a course held last month (attendance
with one late-comer and one absent, feedback, certificates), a course still to come that is full with a
waitlist and an open offer, and a public course residents can enrol in. Names and numbers are illustrative.

Past steps run on their own dates (the services' clock set as in ``incubator.projects.demo``).
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from unittest import mock

from django.db import transaction
from django.utils import timezone

from incubator.courses import services
from incubator.courses.models import Course
from incubator.orgs.models import Organisation
from incubator.permissions import operators

PEOPLE = [
    ("王敏", "leader"),
    ("李娜", "finance"),
    ("张伟", "project"),
    ("刘洋", "volunteers"),
    ("陈静", "project"),
    ("杨帆", "leader"),
    ("赵磊", "finance"),
    ("黄丽", "volunteers"),
]


@contextmanager
def _at(moment: datetime.datetime):
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def _moment(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _session(operator, course, days: int, capacity: int, venue: str, hours: int = 3):
    return services.add_session(
        actor=operator,
        course=course,
        starts_at=_moment(days, 14),
        ends_at=_moment(days, 14 + hours),
        capacity=capacity,
        venue=venue,
    )


@transaction.atomic
def load_courses_demo(schema_name: str) -> bool:
    """Once per hub: False if it has courses already or no operator or organisations to train."""
    operator = operators().order_by("pk").first()
    organisations = list(Organisation.objects.order_by("pk")[:4])
    if Course.objects.exists() or operator is None or not organisations:
        return False
    venue = "孵化基地二楼培训室"
    people = []
    for n, (name, role) in enumerate(PEOPLE):
        people.append(
            services.participant_for(
                actor=operator,
                name=name,
                phone=f"1380027{n:04d}",
                role=role,
                organisation=organisations[n % len(organisations)],
                email=f"trainee{n}@demo.invalid",
            )
        )

    # 1. Held last month: project design before the call (公益项目设计与申报), two sessions.
    design = services.save_course(
        actor=operator,
        title="公益项目设计与申报",
        topic="project_management",
        description="需求调研、问题树与目标树、项目逻辑框架、预算编制与申报书撰写，结合社区微公益创投的申报要求。",
        audience="拟申报公益创投的社会组织负责人和项目骨干",
        trainer="汤老师",
        hours="6",
        seats_per_organisation=3,
    )
    held = [_session(operator, design, -35, 30, venue), _session(operator, design, -28, 30, venue)]
    with _at(_moment(-40, 10)):
        services.publish_course(actor=operator, course=design)
        for person in people[:6]:
            services.enrol_in_course(actor=operator, course=design, participant=person)
    for index, session in enumerate(held):
        with _at(session.starts_at + datetime.timedelta(hours=1)):
            for n, person in enumerate(people[:6]):
                if index == 1 and n == 5:
                    services.mark_attendance(actor=operator, session=session, participant=person, status="absent")
                elif index == 1 and n == 4:
                    services.mark_attendance(
                        actor=operator, session=session, participant=person, status="late", minutes=120
                    )
                else:
                    services.mark_attendance(actor=operator, session=session, participant=person, status="present")
        with _at(session.ends_at + datetime.timedelta(hours=2)):
            for n, person in enumerate(people[:4]):
                services.give_feedback(
                    session=session,
                    participant=person,
                    answers={"content": 5 - n % 2, "trainer": 5, "organisation": 4 + n % 2},
                    comment="逻辑框架的练习很实用" if n == 0 else "",
                )
    with _at(held[-1].ends_at + datetime.timedelta(days=1)):
        services.issue_due_certificates(actor=operator, course=design)

    # 2. Still to come and full: financial management (社会组织财务管理实务), with a waitlist and an offer.
    finance = services.save_course(
        actor=operator,
        title="社会组织财务管理实务",
        topic="finance",
        description="票据与报销、项目资金专账管理、决算编制与审计准备，对照公益创投资助协议的要求。",
        audience="社会组织财务人员和负责人",
        trainer="周会计师",
        hours="3",
        seats_per_organisation=2,
    )
    coming = _session(operator, finance, 10, 4, venue)
    services.publish_course(actor=operator, course=finance)
    enrolments = [services.enrol(actor=operator, session=coming, participant=person) for person in people[:6]]
    services.cancel_enrolment(actor=operator, enrolment=enrolments[1])  # the first waiting is offered the seat

    # 3. Open to residents: volunteer management (社区志愿者招募与管理).
    volunteers = services.save_course(
        actor=operator,
        title="社区志愿者招募与管理",
        topic="volunteers",
        description="志愿者招募、培训、激励与积分兑换，参考车辆停放志愿服务队的三班轮值经验。",
        audience="社会组织志愿者管理人员、社区工作者和居民",
        trainer="陈社工",
        hours="2",
        public_enrolment=True,
    )
    _session(operator, volunteers, 20, 40, "社区党群服务中心多功能厅", hours=2)
    services.publish_course(actor=operator, course=volunteers)
    return True

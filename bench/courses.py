"""Capacity building at scale: the race for seats and the hours report.

1. 500 people enrol in one 100-seat session from 20 concurrent clients (threads, each on its own database
   connection): seats taken must equal the capacity, the rest waitlisted; time per enrolment (p50, p95).
2. The hours report of a year for 1,000 organisations that each had a person in 20 sessions: its time
   (median of 5) and its query count, which must not grow with the organisations.

Prints one JSON line. ``BENCH_PEOPLE``, ``BENCH_SEATS``, ``BENCH_CLIENTS``, ``BENCH_ORGS`` change the sizes.
"""

import datetime
import json
import os
import statistics
import threading
import time

from bench._setup import django_ready


def main() -> None:
    django_ready()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incubator.accounts.models import User
    from incubator.areas.models import Community, Street
    from incubator.courses import selectors, services
    from incubator.courses.models import Attendance, Course, Enrolment, Participant, Session
    from incubator.orgs.models import Organisation
    from tenants.services import provision_hub

    people = int(os.environ.get("BENCH_PEOPLE", "500"))
    seats = int(os.environ.get("BENCH_SEATS", "100"))
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    organisations = int(os.environ.get("BENCH_ORGS", "1000"))
    sessions_each = 20
    schema = f"bench_courses_{int(time.time()) % 100000}"
    hub = provision_hub(
        actor=None,
        schema_name=schema,
        name="培训基准",
        domain=f"{schema.replace('_', '-')}.localhost",
        admin_email="admin@bench.test",
        admin_password="bench-passphrase-2026",
        send_welcome=False,
    )
    try:
        with tenant_context(hub):
            operator = User.objects.get(email="admin@bench.test")
            course = services.save_course(
                actor=operator, title="公益项目设计", topic="project_management", hours="3", public_enrolment=True
            )
            start = timezone.now() + datetime.timedelta(days=7)
            session = services.add_session(
                actor=operator,
                course=course,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=3),
                capacity=seats,
                venue="孵化基地",
            )
            services.publish_course(actor=operator, course=course)
            crowd = Participant.objects.bulk_create(
                [Participant(name=f"居民{n}", phone=f"137{n:08d}", role="resident") for n in range(people)]
            )

        timings: list[float] = []
        lock = threading.Lock()
        queue = list(crowd)

        def client():
            try:
                with tenant_context(hub):
                    while True:
                        with lock:
                            if not queue:
                                return
                            person = queue.pop()
                        began = time.perf_counter()
                        services.enrol(actor=None, session=session, participant=person, source="public")
                        elapsed = (time.perf_counter() - began) * 1000
                        with lock:
                            timings.append(elapsed)
            finally:
                connection.close()

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        with tenant_context(hub):
            enrolled = Enrolment.objects.filter(session=session, status="enrolled").count()
            waitlisted = Enrolment.objects.filter(session=session, status="waitlisted").count()

            # The hours report: 1,000 organisations, each with a person in 20 sessions of the year.
            year = timezone.localdate().year
            day = timezone.make_aware(datetime.datetime(year, 1, 5, 9))
            street = Street.objects.create(name="基准街道")
            community = Community.objects.create(street=street, name="基准社区", kind="urban")
            orgs = Organisation.objects.bulk_create(
                [
                    Organisation(
                        name=f"基准组织{n:04d}", legal_form="filed_community", street=street, community=community
                    )
                    for n in range(organisations)
                ]
            )
            report_course = Course.objects.create(title="财务管理", topic="finance", hours=20, status="published")
            held = Session.objects.bulk_create(
                [
                    Session(
                        course=report_course,
                        starts_at=day + datetime.timedelta(days=7 * n),
                        ends_at=day + datetime.timedelta(days=7 * n, hours=2),
                        capacity=2000,
                        venue="孵化基地",
                    )
                    for n in range(sessions_each)
                ]
            )
            learners = Participant.objects.bulk_create(
                [
                    Participant(name=f"学员{n}", phone=f"139{n:08d}", role="finance", organisation=org)
                    for n, org in enumerate(orgs)
                ]
            )
            Attendance.objects.bulk_create(
                [
                    Attendance(session=s, participant=p, status="present", minutes=120, method="roster")
                    for p in learners
                    for s in held
                ],
                batch_size=5000,
            )
            durations = []
            for _ in range(5):
                began = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    report = selectors.hours_report(year)
                durations.append((time.perf_counter() - began) * 1000)
            assert len(report) == organisations

        timings.sort()
        print(
            json.dumps(
                {
                    "people": people,
                    "seats": seats,
                    "clients": clients,
                    "enrolled": enrolled,
                    "overbooked": max(0, enrolled - seats),
                    "waitlisted": waitlisted,
                    "enrol_ms_p50": round(statistics.median(timings), 1),
                    "enrol_ms_p95": round(timings[int(len(timings) * 0.95) - 1], 1),
                    "organisations": organisations,
                    "hours_report_ms": round(statistics.median(durations), 1),
                    "hours_report_queries": len(queries),
                    "target_ms": 300,
                }
            )
        )
    finally:
        connection.set_schema_to_public()
        hub.delete(force_drop=True)


if __name__ == "__main__":
    main()

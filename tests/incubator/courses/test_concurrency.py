"""Many people enrolling at once at the last seats never overbook: threads, each on its own connection to
the real PostgreSQL, against a hub committed outside any test transaction (so no ``django_db`` here), which
is dropped afterwards (issue 14, point 3)."""

import threading

from django.db import connection
from django_tenants.utils import tenant_context

from incubator.courses.models import Enrolment, EnrolmentStatus

CAPACITY = 5
PEOPLE = 30


def test_concurrent_enrolments_at_the_last_seats_never_overbook(committed_hub, django_db_blocker):
    from incubator.accounts.models import User
    from incubator.courses import services
    from tests.incubator.courses.conftest import make_course

    hub = committed_hub(send_welcome=False)
    with django_db_blocker.unblock(), tenant_context(hub):
        operator = User.objects.get(email="admin@tmp.test")
        session = make_course(operator, capacity=CAPACITY, public_enrolment=True).sessions.get()
        people = [
            services.participant_for(actor=None, name=f"居民{n}", phone=f"1370013{n:04d}", role="resident")
            for n in range(PEOPLE)
        ]
    barrier = threading.Barrier(PEOPLE)
    failures = []

    def enrol(participant):
        try:
            with django_db_blocker.unblock(), tenant_context(hub):
                barrier.wait(timeout=30)
                services.enrol(actor=None, session=session, participant=participant, source="public")
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's error
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    with django_db_blocker.unblock(), tenant_context(hub):
        counts = {
            status: Enrolment.objects.filter(session=session, status=status).count() for status in EnrolmentStatus
        }
        waitlist = list(
            Enrolment.objects.filter(session=session, status="waitlisted")
            .order_by("joined_at", "id")
            .values_list("joined_at", flat=True)
        )
    assert counts["enrolled"] == CAPACITY
    assert counts["waitlisted"] == PEOPLE - CAPACITY
    assert waitlist == sorted(waitlist)

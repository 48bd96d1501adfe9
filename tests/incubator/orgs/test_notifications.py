"""Transitions announce themselves by e-mail, sent by a real Celery worker in the right hub."""

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.roles import Role, ensure_roles
from incubator.orgs import services
from incubator.orgs.models import Cohort, Membership
from tests.conftest import wait_for
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.celery_worker


def test_application_and_admission_are_mailed_to_the_right_people(
    committed_hub, celery_worker_thread, django_db_blocker
):
    hub = committed_hub(name="新洲区社会组织孵化基地", admin_email="admin@xinzhou-hub.test", send_welcome=False)
    mail.outbox.clear()
    with django_db_blocker.unblock(), tenant_context(hub):
        operator = User.objects.get(email="admin@xinzhou-hub.test")
        member = User.objects.create_user(email="member@xinzhou-org.test", password="member-passphrase-1")
        member.groups.add(ensure_roles()[Role.ORGANISATION_MEMBER])
        organisation = OrganisationFactory(name="新洲社区书法社")
        Membership.objects.create(user=member, organisation=organisation)
        incubation = services.apply_for_incubation(actor=member, organisation=organisation, needs="场地")
        wait_for(lambda: any("新洲社区书法社" in m.subject for m in mail.outbox))
        services.admit(
            actor=operator, incubation=incubation, cohort=Cohort.objects.create(name="第一期", starts_on="2026-12-01")
        )
        wait_for(lambda: any(m.to == ["member@xinzhou-org.test"] for m in mail.outbox))
    connection.set_schema_to_public()

    to_operator = next(m for m in mail.outbox if "新洲社区书法社" in m.subject)
    assert to_operator.to == ["admin@xinzhou-hub.test"]
    to_member = next(m for m in mail.outbox if m.to == ["member@xinzhou-org.test"])
    assert "孵化中" in to_member.subject and "新洲区社会组织孵化基地" in to_member.body

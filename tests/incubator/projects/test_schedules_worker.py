"""The real beat task in a real Celery worker, with committed hubs (no test transaction here)."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.orgs.models import Reminder
from incubator.projects import services
from incubator.projects.models import Project
from tenants.models import Hub
from tests.conftest import HUB_B, wait_for
from tests.factories import UserFactory
from tests.incubator.projects.conftest import TODAY, make_awarded


@pytest.mark.celery_worker
def test_the_beat_task_runs_in_its_own_hub_only(committed_hub, celery_worker_thread, django_db_blocker):
    """The real task, queued for one hub by a real worker, moves that hub's project and no other hub's."""
    from incubator.accounts.roles import Role
    from incubator.projects.tasks import final_report_reminders

    hub = committed_hub(name="黄陂区社会组织孵化基地", admin_email="admin@huangpi.test", send_welcome=False)
    mail.outbox.clear()
    with django_db_blocker.unblock():
        hub_b = Hub.objects.get(schema_name=HUB_B["schema_name"])
        with tenant_context(hub_b):
            before_b = (Project.objects.count(), Reminder.objects.count())
        with tenant_context(hub):
            operator = User.objects.get(email="admin@huangpi.test")
            application = make_awarded(ends_on=TODAY() - datetime.timedelta(days=1))
            UserFactory(  # the member who is reminded
                email="member@huangpi-org.test",
                roles=[Role.ORGANISATION_MEMBER],
                member_of=application.organisation,
            )
            project = services.create_project(actor=operator, application=application)
            services.sign_contract(
                actor=operator,
                project=project,
                signed_on=TODAY() - datetime.timedelta(days=100),
                signed_by_organisation="王敏",
                signed_by_hub="李强",
            )
            final_report_reminders.apply_async(headers={"_schema_name": hub.schema_name})

        def moved():
            with tenant_context(hub):
                return Project.objects.get(pk=project.pk).status == "final_report_due"

        wait_for(moved)
        # The transition is announced to the organisation's member by e-mail, sent by the worker.
        wait_for(
            lambda: any(m.to == ["member@huangpi-org.test"] and "老人居家防跌倒" in m.subject for m in mail.outbox)
        )
        with tenant_context(hub_b):
            assert (Project.objects.count(), Reminder.objects.count()) == before_b
    connection.set_schema_to_public()

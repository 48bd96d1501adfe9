"""The back office's home: what is waiting for the hub, one query per queue, only this hub's work."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.filings.models import Filing
from incubator.funding.models import Assignment, Objection, PublicNotice
from incubator.orgs.models import Incubation
from incubator.projects.models import Project, Rectification
from incubator.projects.workqueue import SHOWN, work_queues
from tests.conftest import HUB_A, HUB_B
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory
from tests.incubator.projects.conftest import TODAY

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


def _counts():
    return {queue.key: queue.count for queue in work_queues()}


def _fill(project):
    """One item of every queue, and one item that is done in each (so a queue that ignores its filter fails)."""
    organisation = OrganisationFactory(name="光华社区志愿者协会")
    Incubation.objects.create(organisation=organisation, needs="场地")
    Incubation.objects.create(organisation=OrganisationFactory(), needs="场地", status="incubating")
    Filing.objects.create(organisation=organisation, kind="filing", legal_form="community_group", status="submitted")
    Filing.objects.create(organisation=organisation, kind="filing", legal_form="community_group", status="approved")
    ApplicationFactory(organisation=organisation, title="社区读书会", status="submitted")
    ApplicationFactory(organisation=organisation, title="草稿", status="draft")
    reviewing = ApplicationFactory(organisation=organisation, title="邻里守望", status="in_review")
    expert = UserFactory(email="expert@a.test", first_name="评审专家", roles=[Role.EXPERT])
    Assignment.objects.create(application=reviewing, expert=expert)
    Assignment.objects.create(
        application=reviewing,
        expert=UserFactory(email="done@a.test", roles=[Role.EXPERT]),
        submitted_at=datetime.datetime.now(datetime.UTC),
    )
    notice = PublicNotice.objects.create(
        call=reviewing.call, starts_on=TODAY(), ends_on=TODAY() + datetime.timedelta(days=7)
    )
    Objection.objects.create(notice=notice, application=reviewing, name="居民", contact="13800000000", text="有异议")
    Objection.objects.create(
        notice=notice, application=reviewing, name="居民", contact="13800000000", text="已处理", status="dismissed"
    )
    for status, due in (("answered", 3), ("open", -2), ("open", 5), ("accepted", -9)):
        Rectification.objects.create(
            project=project,
            source="supervision",
            requirement="补充签到表",
            due_on=TODAY() + datetime.timedelta(days=due),
            status=status,
        )
    Project.objects.filter(pk=project.pk).update(
        final_report_overdue=True, final_report_due_on=TODAY() - datetime.timedelta(days=1)
    )
    submitted = ApplicationFactory(organisation=organisation, title="邻里书屋")
    Project.objects.create(application=submitted, award=submitted.awarded_amount, status="final_report_submitted")


def test_each_queue_counts_only_what_waits(project):
    assert set(_counts().values()) == {0}
    _fill(project)
    assert _counts() == {
        "incubations": 1,
        "filings": 1,
        "screening": 1,
        "reviews": 1,
        "notices": 1,
        "objections": 1,
        "rectification_answers": 1,
        "rectifications_overdue": 1,
        "final_reports_to_check": 1,
        "final_reports": 1,
    }


def test_a_queue_costs_one_query_however_long_it_is(project):
    for index in range(SHOWN + 3):
        ApplicationFactory(title=f"申报{index}", status="submitted")
    with CaptureQueriesContext(connection) as queries:
        queues = work_queues()
    selects = [q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(selects) == len(queues) == 10
    [screening] = [q for q in queues if q.key == "screening"]
    assert (screening.count, len(screening.items), screening.more) == (SHOWN + 3, SHOWN, 3)
    assert screening.items[0].title == "申报0"  # the longest waiting first


def test_the_home_page_shows_the_queue_to_operators_instead_of_page_counts(client, operator, project):
    _fill(project)
    client.force_login(operator)
    page = client.get("/admin/", **A).content.decode()
    assert 'id="work-queue-section"' in page and "待办事项" in page
    assert "入驻申请" in page and "光华社区志愿者协会" in page and "社区读书会" in page and "评审专家" in page
    assert f"/admin/projects/{project.pk}/#rectifications" in page
    assert "草稿" not in page.split('id="work-queue-section"')[1].split("</section>")[0]
    assert "w-summary" not in page  # Wagtail's "N pages, N images" panel is gone


def test_people_who_are_not_operators_see_no_queue(client, in_hub_a):
    worker = UserFactory(email="worker@a.test", roles=[Role.COMMUNITY_WORKER], roles__sync=True)
    client.force_login(worker)
    page = client.get("/admin/", **A)
    assert page.status_code == 200 and 'id="work-queue-section"' not in page.content.decode()


def test_another_hubs_operator_sees_none_of_this_hubs_work(client, hub_b, project):
    _fill(project)
    with tenant_context(hub_b):
        assert set(_counts().values()) == {0}
        # Sessions live in each hub's schema: sign in where the requests will go.
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    page = client.get("/admin/", **B).content.decode()
    assert 'id="work-queue-section"' in page and "光华社区志愿者协会" not in page and "社区读书会" not in page

"""The funded projects' back office over HTTP: the listing, a project's page and its actions, the walls."""

import io
from decimal import Decimal

import pytest
from django.utils.html import escape
from django.utils.translation import gettext, override
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.roles import Role, ensure_roles
from incubator.audit.models import AuditEvent
from incubator.projects import services
from incubator.projects.models import Installment, Project
from tests.conftest import HUB_A, HUB_B
from tests.factories import UserFactory
from tests.incubator.projects.conftest import TODAY, run_to

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


def msg(msgid, **values):
    """A message as the page shows it: in the hub's language (once translated), escaped."""
    with override("zh-hans"):
        text = gettext(msgid)
        return escape(text % values if values else text)


def _url(project, tail=""):
    return f"/admin/projects/{project.pk}/{tail}"


def _post(client, project, data):
    """POST an action; returns the page it redirects to (with the messages)."""
    response = client.post(_url(project), data, **A)
    assert response.status_code == 302 and response["Location"] == _url(project), response.content[:300]
    return client.get(response["Location"], **A).content.decode()


def test_an_operator_signs_releases_assigns_and_terminates_through_the_page(
    client, operator, project, supervisor, evaluator
):
    client.force_login(operator)
    page = client.get(_url(project), **A).content.decode()
    assert project.application.title in page and 'data-action="sign"' in page
    assert 'data-action="release"' not in page  # nothing can be released before the signing

    page = _post(client, project, {"action": "sign", "signed_by_organisation": "", "signed_by_hub": ""})
    assert msg("Name who signed for the organisation.") in page
    assert Project.objects.get(pk=project.pk).status == "contracting"
    page = _post(
        client,
        project,
        {
            "action": "sign",
            "signed_on": TODAY().isoformat(),
            "signed_by_organisation": "王敏",
            "signed_by_hub": "李强",
        },
    )
    project.refresh_from_db()
    assert project.status == "active" and project.signed_by_hub == "李强" and project.signed_on == TODAY()
    first, second, _last = project.installments.all()
    assert page.count('data-action="release"') == 1  # only the first installment's condition holds

    page = _post(client, project, {"action": "release", "installment": first.pk})  # not confirmed
    assert msg("Tick the box to confirm the release.") in page
    assert Installment.objects.get(pk=first.pk).released_on is None
    page = _post(client, project, {"action": "release", "installment": first.pk, "confirm": "on"})
    first.refresh_from_db()
    assert first.released_on == TODAY() and first.released_by == operator
    assert f'data-money="released">{first.amount}<' in page
    assert f'data-money="outstanding">{project.award - first.amount}<' in page

    _post(client, project, {"action": "assign_supervisor", "person": supervisor.pk, "agency": "江岸区社会组织服务中心"})
    supervisor.groups.add(ensure_roles()[Role.EVALUATOR])
    page = _post(client, project, {"action": "assign_evaluator", "person": supervisor.pk, "agency": "x"})
    assert msg("The third-party evaluator must be independent of the project's supervisor.") in page
    _post(client, project, {"action": "assign_evaluator", "person": evaluator.pk, "agency": "武汉市社会工作评估中心"})
    project.refresh_from_db()
    assert project.supervisor == supervisor and project.supervision_agency == "江岸区社会组织服务中心"
    assert project.evaluator == evaluator and project.evaluation_agency == "武汉市社会工作评估中心"
    other = User.objects.create_user(email="not-a-supervisor@a.test")
    _post(client, project, {"action": "assign_supervisor", "person": other.pk})
    assert Project.objects.get(pk=project.pk).supervisor == supervisor  # only people with the role are offered

    _post(client, project, {"action": "publish_progress"})
    assert Project.objects.get(pk=project.pk).progress_published
    page = _post(client, project, {"action": "hide_progress"})
    assert not Project.objects.get(pk=project.pk).progress_published and 'data-action="publish_progress"' in page

    page = _post(client, project, {"action": "step", "step": "terminate", "reason": "负责人离职"})  # not confirmed
    assert msg("Tick the box to confirm the termination.") in page
    page = _post(client, project, {"action": "step", "step": "terminate", "reason": " ", "confirm": "on"})
    assert Project.objects.get(pk=project.pk).status == "active"  # a termination needs its reason
    page = _post(client, project, {"action": "step", "step": "terminate", "reason": "负责人离职", "confirm": "on"})
    project.refresh_from_db()
    assert project.status == "terminated" and project.termination_reason == "负责人离职"
    assert services.money_summary(project)["released"] == first.amount
    assert 'data-action="release"' not in page and 'data-action="terminate"' not in page
    history = page[page.index('id="history"') :]
    assert msg("Terminate") in history and msg("Installment released") in history  # the trail, in words
    assert "project.terminate" not in history  # not the internal code
    page = _post(client, project, {"action": "release", "installment": second.pk, "confirm": "on"})
    assert Installment.objects.get(pk=second.pk).released_on is None


def test_a_release_whose_condition_does_not_hold_shows_the_error_and_changes_nothing(client, operator, project):
    client.force_login(operator)
    first = project.installments.get(position=1)
    events = AuditEvent.objects.count()
    page = _post(client, project, {"action": "release", "installment": first.pk, "confirm": "on"})
    with override("zh-hans"):
        condition = gettext("Contract signed")
    assert msg("Installment %(n)d waits for its condition: %(condition)s.", n=1, condition=condition) in page
    first.refresh_from_db()
    assert first.released_on is None and first.released_by is None
    assert AuditEvent.objects.count() == events

    services.sign_contract(actor=operator, project=project, signed_by_organisation="王敏", signed_by_hub="李强")
    second = project.installments.get(position=2)
    page = _post(client, project, {"action": "release", "installment": second.pk, "confirm": "on"})
    with override("zh-hans"):
        condition = gettext("Mid-term review accepted")
    assert msg("Installment %(n)d waits for its condition: %(condition)s.", n=2, condition=condition) in page
    assert Installment.objects.get(pk=second.pk).released_on is None
    page = _post(client, project, {"action": "step", "step": "sign"})  # not a button on this page
    assert msg("There is no action “%(name)s”.", name="sign") in page
    page = _post(client, project, {"action": "delete_everything"})
    assert msg("There is no action “%(name)s”.", name="delete_everything") in page


def test_the_workflow_buttons_run_the_services_through_appraisal_evaluation_and_acceptance(
    client, operator, project, project_member, supervisor, evaluator
):
    people = {"operator": operator, "member": project_member, "supervisor": supervisor, "evaluator": evaluator}
    run_to(project, **people, state="mid_term_accepted")
    services.record_activity(
        actor=project_member, project=project, held_on=TODAY(), title="入户评估", participants=30, beneficiaries=25
    )
    run_to(project, **people, state="final_report_submitted")
    client.force_login(operator)
    page = client.get(_url(project), **A).content.decode()
    # The final report is checked first: accepted (or returned), and only then the appraisal opens.
    assert 'data-action="accept_final_report"' in page and 'data-action="return_final_report"' in page
    assert 'data-action="start_appraisal"' not in page and 'data-action="accept"' not in page
    assert 'id="statement"' in page and "适老化改造材料" in page
    _post(client, project, {"action": "step", "step": "accept_final_report"})
    assert Project.objects.get(pk=project.pk).status == "final_report_accepted"
    page = client.get(_url(project), **A).content.decode()
    assert 'data-action="start_appraisal"' in page and 'data-action="accept"' not in page
    assert all(
        f'{path}"' in page  # the form (absolute), its QR code and the printable poster
        for path in (
            f"/appraisal/{project.appraisal_token}/",
            f"/appraisal/{project.appraisal_token}/qr.svg",
            f"/appraisal/{project.appraisal_token}/poster/",
        )
    )
    assert 'id="progress"' in page and "评估户数" in page and "入户评估" in page
    assert (
        msg("New beneficiaries reached: %(n)s; participants: %(p)s.", n=25, p=30) in page and "进度正常" in page
    )  # activities and the mid-term review

    _post(client, project, {"action": "step", "step": "start_appraisal"})
    assert Project.objects.get(pk=project.pk).status == "appraisal"
    page = _post(client, project, {"action": "publish_appraisal"})
    assert msg("No resident has answered yet; there is nothing to publish.") in page
    services.cast_ballot(
        project=project, device_id="device-1", address="10.0.0.1", satisfaction=5, usefulness=4, took_part=True
    )
    page = _post(client, project, {"action": "publish_appraisal"})
    assert Project.objects.get(pk=project.pk).appraisal_published_at is not None
    assert 'id="appraisal"' in page and "100%" in page

    _post(client, project, {"action": "step", "step": "start_evaluation"})
    assert Project.objects.get(pk=project.pk).status == "evaluating"
    services.submit_evaluation(
        actor=evaluator,
        project=project,
        grade="excellent",
        scores={o.pk: ("40", "9", "扎实") for o in project.application.objectives.all()},
        findings="成效显著",
        recommendations="推广经验",
    )
    page = _post(client, project, {"action": "step", "step": "accept", "confirm": "on"})
    assert msg("Release the earlier installments first.") in page
    assert Project.objects.get(pk=project.pk).status == "evaluated"
    for installment in project.installments.all()[:2]:
        _post(client, project, {"action": "release", "installment": installment.pk, "confirm": "on"})
    # Closing releases the 尾款 and cannot be undone: without the tick nothing happens.
    page = _post(client, project, {"action": "step", "step": "accept"})
    assert msg("Tick the box to confirm the acceptance.") in page
    assert Project.objects.get(pk=project.pk).status == "evaluated"
    assert services.money_summary(project)["outstanding"] > 0
    page = _post(client, project, {"action": "step", "step": "accept", "confirm": "on"})
    project.refresh_from_db()
    assert project.status == "closed" and project.is_brand
    assert services.money_summary(project)["outstanding"] == Decimal("0.00")
    assert "成效显著" in page and "扎实" in page and "90.00" in page  # the evaluation and its scores


def test_the_contract_pdf_downloads(client, operator, project):
    client.force_login(operator)
    response = client.get(_url(project, "contract.pdf"), **A)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    number = f"GYCT-{project.application.call_id:03d}-{project.pk:04d}"
    assert response["Content-Disposition"] == f'attachment; filename="contract-{number}.pdf"'


def test_the_listing_searches_filters_exports_and_never_edits(client, operator, project, awarded):
    from tests.factories import OrganisationFactory
    from tests.incubator.projects.conftest import make_awarded

    other = services.create_project(
        actor=operator, application=make_awarded(title="社区儿童课后托管", organisation=OrganisationFactory())
    )
    Project.objects.filter(pk=other.pk).update(status="active", is_brand=True)
    client.force_login(operator)
    listing = client.get("/admin/projects/", **A).content.decode()
    assert "老人居家防跌倒" in listing and "社区儿童课后托管" in listing and _url(project) in listing
    searched = client.get("/admin/projects/?q=课后托管", **A).content.decode()
    assert "社区儿童课后托管" in searched and "老人居家防跌倒" not in searched
    by_organisation = client.get("/admin/projects/?q=晚晴枫", **A).content.decode()
    assert "老人居家防跌倒" in by_organisation
    for query, shown, hidden in (
        ("status=contracting", "老人居家防跌倒", "社区儿童课后托管"),
        ("is_brand=true", "社区儿童课后托管", "老人居家防跌倒"),
        (f"application__call={awarded.call_id}", "老人居家防跌倒", "社区儿童课后托管"),
        ("application__service_field=charity", "老人居家防跌倒", "no such text"),
        ("final_report_overdue=false", "老人居家防跌倒", "no such text"),
    ):
        page = client.get(f"/admin/projects/?{query}", **A)
        assert page.status_code == 200, query
        assert shown in page.content.decode() and hidden not in page.content.decode(), query

    export = client.get("/admin/projects/?export=xlsx", **A)
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert len(rows) == 3 and {"老人居家防跌倒", "社区儿童课后托管"} <= {row[0] for row in rows[1:]}

    # Generic forms never change a project: every change goes through the services.
    assert client.get("/admin/projects/new/", **A).status_code in (302, 403)
    assert client.get(f"/admin/projects/edit/{project.pk}/", **A).status_code in (302, 403)
    client.post(f"/admin/projects/edit/{project.pk}/", {"status": "closed"}, **A)
    client.post(f"/admin/projects/delete/{project.pk}/", **A)
    assert Project.objects.get(pk=project.pk).status == "contracting"


def test_the_call_form_sets_the_split_and_the_call_page_links_its_projects(client, operator, project):
    client.force_login(operator)
    form = client.get(f"/admin/calls/edit/{project.application.call_id}/", **A).content.decode()
    assert all(
        f'name="{name}"' in form
        for name in ("first_installment_percent", "second_installment_percent", "final_installment_percent")
    )
    from incubator.funding.models import Application
    from tests.factories import OrganisationFactory

    Application.objects.create(  # awarded, its project not opened yet: no link, no error
        call_id=project.application.call_id,
        organisation=OrganisationFactory(),
        title="尚未立项",
        status="awarded",
        awarded_amount=Decimal("1000"),
    )
    page = client.get(f"/admin/funding/calls/{project.application.call_id}/", **A).content.decode()
    assert f'href="{_url(project)}"' in page and page.count("data-project=") == 1 and "尚未立项" in page


@pytest.mark.parametrize("who", ["project_member", "supervisor"])
def test_people_without_the_back_office_never_see_a_project_or_the_dashboard(client, request, project, who):
    person = request.getfixturevalue(who)
    client.force_login(person)
    for url in (_url(project), _url(project, "contract.pdf"), "/admin/projects/portfolio/", "/admin/projects/"):
        response = client.get(url, **A)
        # Wagtail sends people without access to the admin to its login page; nothing of the project shows.
        assert response.status_code in (302, 403), url
        assert project.application.title.encode() not in response.content
    client.post(_url(project), {"action": "step", "step": "terminate", "reason": "x", "confirm": "on"}, **A)
    assert Project.objects.get(pk=project.pk).status == "contracting"


def test_back_office_users_who_are_not_operators_get_403(client, project):
    worker = User.objects.create_user(email="worker@community.test")
    worker.groups.add(ensure_roles(sync_permissions=True)[Role.COMMUNITY_WORKER])
    client.force_login(worker)
    for url in (_url(project), _url(project, "contract.pdf"), "/admin/projects/portfolio/"):
        response = client.get(url, **A)
        assert response.status_code == 403, url
        assert project.application.title.encode() not in response.content
    response = client.post(_url(project), {"action": "step", "step": "terminate", "reason": "x", "confirm": "on"}, **A)
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).status == "contracting"
    evaluator = UserFactory(email="evaluator@a.test", roles=[Role.EVALUATOR])
    client.force_login(evaluator)
    assert client.get(_url(project), **A).status_code in (302, 403)


def test_hub_b_cannot_reach_hub_a_projects(client, in_hub_a, hub_b, operator, project):
    pk, title = project.pk, project.application.title
    first = project.installments.get(position=1)
    with tenant_context(hub_b):
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    assert client.get(f"/admin/projects/{pk}/", **B).status_code == 404
    assert client.get(f"/admin/projects/{pk}/contract.pdf", **B).status_code == 404
    response = client.post(
        f"/admin/projects/{pk}/",
        {"action": "sign", "signed_by_organisation": "x", "signed_by_hub": "y"},
        **B,
    )
    assert response.status_code == 404
    assert client.post(f"/admin/projects/{pk}/", {"action": "release", "installment": first.pk}, **B).status_code == 404
    listing = client.get("/admin/projects/", **B)
    assert listing.status_code == 200 and title not in listing.content.decode()
    dashboard = client.get("/admin/projects/portfolio/", **B)
    assert dashboard.status_code == 200 and title not in dashboard.content.decode()
    with tenant_context(in_hub_a):
        project.refresh_from_db()
        assert project.status == "contracting" and not project.signed_by_hub


def test_the_page_shows_supervision_and_overdue_rectifications(
    client, operator, project, project_member, supervisor, evaluator
):
    import datetime

    people = {"operator": operator, "member": project_member, "supervisor": supervisor, "evaluator": evaluator}
    run_to(project, **people, state="active")
    services.record_visit(
        actor=supervisor,
        project=project,
        visited_on=TODAY(),
        findings="签到表缺失",
        recommendations="规范台账",
        rectification="补充签到表",
        rectify_by=TODAY() + datetime.timedelta(days=7),
    )
    late = TODAY() + datetime.timedelta(days=8)
    services.flag_overdue_rectifications(today=late)
    client.force_login(operator)
    page = client.get(_url(project), **A).content.decode()
    assert "签到表缺失" in page and "规范台账" in page and "补充签到表" in page
    assert 'class="overdue"' in page
    dashboard = client.get("/admin/projects/portfolio/", **A).content.decode()
    assert "补充签到表" in dashboard and _url(project) in dashboard


def test_the_project_history_table_shows_labels_not_codes(client, operator, project):
    services.sign_contract(actor=operator, project=project, signed_by_organisation="王敏", signed_by_hub="张强")
    event = AuditEvent.objects.filter(action="project.sign").get()
    assert (event.from_state, event.to_state) == ("contracting", "active")
    client.force_login(operator)
    page = client.get(f"/admin/projects/{project.pk}/", **A).content.decode()
    assert "<td>签约中</td><td>实施中</td>" in page.split('id="history"')[1]
    assert "<td>contracting</td>" not in page

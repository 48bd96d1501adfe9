"""Venture philanthropy over HTTP: applicants, experts, operators and the public, and the walls between them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incubator.accounts.roles import Role
from incubator.funding import services
from incubator.funding.models import Application, Assignment, BudgetLine, Call, Criterion, PublicNotice, Term
from tests.conftest import HUB_A, HUB_B
from tests.factories import OrganisationFactory, UserFactory
from tests.incubator.funding.conftest import complete_application, in_review

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


def test_the_showcase_apply_button_leads_to_its_own_call(client, open_call, applicant, operator):
    _organisation, member = applicant
    other = Call.objects.create(
        title="另一个开放的征集",
        budget=Decimal("1000.00"),
        per_project_cap=Decimal("500.00"),
        service_fields=["charity"],
        status="open",
        opens_at=open_call.opens_at,
        closes_at=open_call.closes_at,
    )
    client.force_login(member)
    assert other.title in client.get("/portal/calls/", **A).content.decode()
    page = client.get(f"/portal/calls/?call={open_call.pk}", **A).content.decode()
    assert open_call.title in page and other.title not in page and 'href="/portal/calls/"' in page
    Call.objects.filter(pk=other.pk).update(status="closed")
    page = client.get(f"/portal/calls/?call={other.pk}", **A).content.decode()
    assert open_call.title in page  # a call closed since: the open ones, with a word why
    assert '<ul class="messages"' in page


def test_an_applicant_drafts_sees_what_is_missing_and_submits(client, open_call, applicant):
    organisation, member = applicant
    client.force_login(member)
    calls = client.get("/portal/calls/", **A).content.decode()
    assert open_call.title in calls
    started = client.post(f"/portal/calls/{open_call.pk}/apply/{organisation.pk}/", **A)
    application = Application.objects.get(call=open_call, organisation=organisation)
    assert started["Location"] == f"/portal/applications/{application.pk}/"

    client.post(started["Location"], {"action": "save", "title": "老人居家防跌倒"}, **A)
    page = client.get(started["Location"], **A).content.decode()
    assert "老人居家防跌倒" in page and 'class="checklist"' in page  # the list of what is still needed

    data = {
        "action": "submit",
        "title": "老人居家防跌倒",
        "service_field": "charity",
        "problem": "空巢老人",
        "target_groups": ["elderly"],
        "beneficiaries": "80",
        "activities": "入户评估与改造",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "budget_0_category": "activities",
        "budget_0_item": "改造材料",
        "budget_0_amount": "20000",
    }
    for term in ("short", "medium", "long"):
        data.update(
            {
                f"objective_{term}_description": "目标",
                f"objective_{term}_indicator": "户数",
                f"objective_{term}_target": "50",
            }
        )
    client.post(started["Location"], data, **A)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.budget_lines.get().amount == Decimal("20000.00")


def test_a_draft_is_checked_for_type_and_range_and_comes_back_as_typed(client, open_call, applicant):
    """Issue 10, finding 7: nothing out of the model's range reaches the database, even in a draft; the page
    comes back with everything typed and each problem beside its field."""
    organisation, member = applicant
    application = services.start_application(actor=member, call=open_call, organisation=organisation)
    client.force_login(member)
    url = f"/portal/applications/{application.pk}/"
    data = {
        "action": "save",
        "title": "老人居家防跌倒",
        "problem": "空巢老人独居",
        "beneficiaries": "9" * 20,
        "budget_0_category": "<script>alert(1)</script>",
        "budget_0_item": "改造材料",
        "budget_0_amount": "0.001",
        "budget_1_category": "activities",
        "budget_1_item": "字" * 300,
        "budget_1_amount": "1e20",
        "objective_short_description": "入户评估",
        "objective_short_indicator": "评" * 201,
        "objective_short_target": "-5",
    }
    response = client.post(url, data, **A)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="application-errors"' in page
    assert "老人居家防跌倒" in page and "空巢老人独居" in page and "入户评估" in page and "9" * 20 in page
    form = response.context["form"]
    assert "beneficiaries" in form.errors
    budget = response.context["budget_rows"]
    assert "category" in budget[0].errors and "amount" in budget[0].errors
    assert "item" in budget[1].errors and "amount" in budget[1].errors
    (short, _medium, _long) = [row for _label, row in response.context["objective_rows"]]
    assert "indicator" in short.errors and "target" in short.errors
    application.refresh_from_db()
    assert application.title == "" and not application.budget_lines.exists() and not application.objectives.exists()

    # The services hold the same limits whoever calls them.
    with pytest.raises(ValidationError):
        services.save_draft(
            actor=member,
            application=application,
            fields={},
            budget_lines=[{"category": "<script>", "item": "x", "amount": Decimal("10")}],
        )
    with pytest.raises(ValidationError):
        services.save_draft(
            actor=member,
            application=application,
            fields={},
            objectives=[{"term": "short", "description": "x", "indicator": "y", "target": Decimal("-1"), "unit": ""}],
        )
    assert not application.budget_lines.exists() and not application.objectives.exists()


def test_an_objective_without_a_target_is_not_a_zero(client, open_call, applicant):
    organisation, member = applicant
    application = services.start_application(actor=member, call=open_call, organisation=organisation)
    client.force_login(member)
    data = {"action": "save", "objective_short_description": "入户评估", "objective_short_indicator": "评估户数"}
    assert client.post(f"/portal/applications/{application.pk}/", data, **A).status_code == 302
    objective = application.objectives.get()
    assert objective.target is None
    missing_short = [p for p in services.submission_problems(application) if str(Term.SHORT.label) in p]
    assert missing_short  # listed at submission, as if no objective had been given
    objective.target = Decimal("80")
    objective.save()
    assert not [p for p in services.submission_problems(application) if str(Term.SHORT.label) in p]


def test_an_ineligible_organisation_sees_why_and_no_apply_button(client, open_call, applicant):
    organisation, member = applicant
    open_call.eligible_legal_forms = ["foundation"]
    open_call.save()
    client.force_login(member)
    page = client.get("/portal/calls/", **A).content.decode()
    assert f"/portal/calls/{open_call.pk}/apply/" not in page and "ineligible" in page
    client.post(f"/portal/calls/{open_call.pk}/apply/{organisation.pk}/", **A)
    assert not Application.objects.exists()


def test_an_organisation_cannot_read_anothers_application(client, open_call, applicant):
    organisation, member = applicant
    other = OrganisationFactory(name="武汉春晖社会工作服务中心")
    other_member = UserFactory(email="chunhui@org.test", roles=[Role.ORGANISATION_MEMBER], member_of=other)
    theirs = complete_application(other_member, open_call, other)
    client.force_login(member)
    assert client.get(f"/portal/applications/{theirs.pk}/", **A).status_code == 404
    assert client.post(f"/portal/calls/{open_call.pk}/apply/{other.pk}/", **A).status_code == 404


def test_an_expert_reads_and_scores_only_assigned_applications(client, operator, open_call, applicant):
    application = in_review(operator, open_call, applicant)
    assigned, other = (
        UserFactory(email="e1@experts.test", roles=[Role.EXPERT]),
        UserFactory(email="e2@experts.test", roles=[Role.EXPERT]),
    )
    [assignment] = services.assign_experts(actor=operator, application=application, experts=[assigned])
    client.force_login(other)
    assert client.get(f"/review/{assignment.pk}/", **A).status_code == 404
    assert client.post(f"/review/{assignment.pk}/", {}, **A).status_code == 404
    assert application.title not in client.get("/review/", **A).content.decode()

    client.force_login(assigned)
    assert application.title in client.get(f"/review/{assignment.pk}/", **A).content.decode()
    scores = {f"score_{c.pk}": "7.5" for c in Criterion.objects.filter(call=open_call)}
    client.post(f"/review/{assignment.pk}/", scores, **A)
    assert Assignment.objects.get(pk=assignment.pk).total == Decimal("75.00")
    # Applicants never see who reviewed them nor the scores.
    member = applicant[1]
    client.force_login(member)
    page = client.get(f"/portal/applications/{application.pk}/", **A).content.decode()
    assert "e1@experts.test" not in page and "75.00" not in page


def test_an_expert_with_a_conflict_of_interest_declares_it_and_is_withdrawn(
    client, operator, open_call, applicant, django_capture_on_commit_callbacks, monkeypatch
):
    from incubator.audit.models import AuditEvent
    from incubator.funding.models import ConflictDeclaration
    from incubator.notifications.tasks import send_notification

    application = in_review(operator, open_call, applicant)
    expert = UserFactory(email="related@experts.test", roles=[Role.EXPERT])
    [assignment] = services.assign_experts(actor=operator, application=application, experts=[expert])
    client.force_login(expert)
    page = f"/review/{assignment.pk}/"
    assert 'id="conflict"' in client.get(page, **A).content.decode()
    refused = client.post(page, {"action": "conflict", "reason": ""}, **A)
    assert refused.status_code == 200 and Assignment.objects.filter(pk=assignment.pk).exists()
    too_long = client.post(page, {"action": "conflict", "reason": "关" * 201}, **A)  # the model holds 200
    assert too_long.status_code == 200 and "关" * 201 in too_long.content.decode()
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    with pytest.raises(ValidationError):  # the service keeps the limit whatever the caller sends
        services.declare_conflict(actor=expert, assignment=assignment, reason="关" * 201)

    queued = []
    monkeypatch.setattr(send_notification, "apply_async", lambda args, headers: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(page, {"action": "conflict", "reason": "我是该机构的理事"}, **A)
    assert done.status_code == 302 and done["Location"] == "/review/"
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert ConflictDeclaration.objects.get(expert=expert).reason == "我是该机构的理事"
    assert AuditEvent.objects.filter(action="application.conflict_declared", subject_id=str(application.pk)).exists()
    assert any(operator.pk in user_ids and "我是该机构的理事" in body for user_ids, _s, body in queued)
    assert client.get(page, **A).status_code == 404
    with pytest.raises(ValidationError):  # and is never assigned to it again
        services.assign_experts(actor=operator, application=application, experts=[expert])


def test_the_public_objects_on_the_notice_without_an_account(client, operator, open_call, applicant):
    application = in_review(operator, open_call, applicant)
    Application.objects.filter(pk=application.pk).update(status="in_notice", awarded_amount=Decimal("23000"))
    today = datetime.date.today()
    notice = PublicNotice.objects.create(call=open_call, starts_on=today, ends_on=today + datetime.timedelta(days=7))
    page = client.get(f"/notices/{notice.pk}/", **A).content.decode()
    assert application.title in page and "23000" in page and "objection-form" in page
    client.post(
        f"/notices/{notice.pk}/",
        {"application": application.pk, "name": "居民王某", "contact": "13800000000", "text": "请核实预算"},
        **A,
    )
    assert notice.objections.get().text == "请核实预算"
    assert client.get(f"/notices/{notice.pk}/", **B).status_code == 404  # hub B has no such notice


def _reviewed_applications(call, count, expert, start):
    organisations = [OrganisationFactory() for _ in range(count)]
    for index, organisation in enumerate(organisations):
        application = Application.objects.create(
            call=call,
            organisation=organisation,
            title=f"项目{start + index}",
            status="reviewed",
            target_groups=["elderly"],
        )
        BudgetLine.objects.create(application=application, category="activities", item="x", amount=Decimal(1000))
        Assignment.objects.create(
            application=application,
            expert=expert,
            total=Decimal(60 + index % 30),
            submitted_at=datetime.datetime.now(datetime.UTC),
        )


def test_the_ranking_page_runs_a_constant_number_of_queries(client, operator, open_call, django_assert_max_num_queries):
    Call.objects.filter(pk=open_call.pk).update(status="reviewing")
    expert = UserFactory(email="judge@experts.test", roles=[Role.EXPERT])
    client.force_login(operator)
    url = f"/admin/funding/calls/{open_call.pk}/ranking/"
    _reviewed_applications(open_call, 5, expert, 0)
    client.get(url, **A)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **A).status_code == 200
    _reviewed_applications(open_call, 200, expert, 5)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url, **A)
    assert page.content.decode().count("data-application=") == 205


def test_operators_set_standards_and_quotas_then_resolve_objections_and_release_feedback(
    client, operator, open_call, applicant
):
    client.force_login(operator)
    Call.objects.filter(pk=open_call.pk).update(status="draft")
    url = f"/admin/funding/calls/{open_call.pk}/"
    client.post(url, {"action": "add_standard", "category": "administration", "max_percent": "10"}, **A)
    client.post(url, {"action": "add_quota", "target_group": "elderly", "min_percent": "50"}, **A)
    client.post(url, {"action": "add_quota", "target_group": "elderly", "min_percent": "150"}, **A)  # refused
    assert list(open_call.budget_standards.values_list("category", "max_percent")) == [("administration", 10)]
    assert list(open_call.quotas.values_list("min_percent", flat=True)) == [50]

    Call.objects.filter(pk=open_call.pk).update(status="open")
    application = in_review(operator, open_call, applicant)
    Application.objects.filter(pk=application.pk).update(status="in_notice")
    today = datetime.date.today()
    notice = PublicNotice.objects.create(call=open_call, starts_on=today, ends_on=today + datetime.timedelta(days=7))
    objection = services.lodge_objection(
        notice=notice, application_id=application.pk, name="王", contact="138", text="预算偏高"
    )
    page = client.get(url, **A).content.decode()
    assert "预算偏高" in page
    client.post(url, {"action": "uphold", "objection": objection.pk, "resolution": ""}, **A)  # needs a reason
    assert Application.objects.get(pk=application.pk).status == "in_notice"
    client.post(url, {"action": "uphold", "objection": objection.pk, "resolution": "经核实，预算不实"}, **A)
    assert Application.objects.get(pk=application.pk).status == "rejected"
    client.post(url, {"action": "feedback", "application": application.pk, "feedback": "请细化预算"}, **A)
    assert Application.objects.get(pk=application.pk).released_feedback == "请细化预算"
    member = applicant[1]
    client.force_login(member)
    assert "请细化预算" in client.get(f"/portal/applications/{application.pk}/", **A).content.decode()


def test_community_workers_record_needs_and_see_nothing_else(client, in_hub_a):
    from incubator.accounts.roles import Role, ensure_roles
    from incubator.funding.models import Need
    from tests.factories import CommunityFactory, UserFactory

    community = CommunityFactory(name="安静社区")
    worker = UserFactory(email="worker@community.test")
    worker.groups.add(ensure_roles(sync_permissions=True)[Role.COMMUNITY_WORKER])
    client.force_login(worker)
    response = client.post(
        "/admin/needs/new/",
        {
            "community": community.pk,
            "title": "空巢老人居家安全",
            "description": "问卷调查80户",
            "gathered_by": "questionnaire",
            "gathered_on": "2026-11-20",
            "people_consulted": "80",
        },
        **A,
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Need.objects.get().title == "空巢老人居家安全"
    assert client.get("/admin/organisations/", **A).status_code in (302, 403)
    assert client.get("/admin/calls/", **A).status_code in (302, 403)
    assert client.get("/admin/incubator/coverage/", **A).status_code in (302, 403)


def test_each_objective_says_how_its_values_add_up_and_keeps_it(client, open_call, applicant):
    organisation, member = applicant
    application = services.start_application(actor=member, call=open_call, organisation=organisation)
    client.force_login(member)
    url = f"/portal/applications/{application.pk}/"
    form = client.get(url, **A).content.decode()
    assert 'name="objective_long_accumulation"' in form and 'name="objective_long_direction"' in form
    data = {
        "action": "save",
        "objective_long_description": "降低跌倒发生率",
        "objective_long_indicator": "跌倒发生率下降",
        "objective_long_target": "30",
        "objective_long_accumulation": "latest",
        "objective_long_direction": "decrease_by",
    }
    assert client.post(url, data, **A).status_code == 302
    objective = application.objectives.get()
    assert (objective.accumulation, objective.direction) == ("latest", "decrease_by")
    page = client.get(url, **A).content.decode()
    assert '<option value="latest" selected>' in page
    bad = client.post(url, {**data, "objective_long_accumulation": "average"}, **A)
    assert bad.status_code == 200 and application.objectives.get().accumulation == "latest"

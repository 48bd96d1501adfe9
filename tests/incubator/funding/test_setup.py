"""A call's set-up can be corrected: standards, quotas, rubric, deadline (close now, reopen). Free while nobody has
applied; once organisations have, each change needs a reason, is audited and told; after closing, refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from incubator.audit.models import AuditEvent
from incubator.funding import services
from incubator.funding.models import BudgetStandard, Call, Criterion, RubricTemplate
from incubator.workflow import TransitionError
from tests.conftest import HUB_A
from tests.incubator.funding.conftest import complete_application

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


def test_standards_are_added_corrected_and_deleted_freely_before_anyone_applies(operator, open_call):
    standard = services.save_standard(actor=operator, call=open_call, category="administration", max_percent=10)
    services.save_standard(
        actor=operator, call=open_call, standard=standard, category="administration", max_percent=15, max_amount=3000
    )
    standard.refresh_from_db()
    assert (standard.max_percent, standard.max_amount) == (15, 3000)
    services.delete_standard(actor=operator, standard=standard)
    assert not BudgetStandard.objects.filter(call=open_call).exists()
    assert AuditEvent.objects.filter(action="call.standard_changed", subject_id=str(open_call.pk)).count() == 3


def test_an_empty_or_duplicate_standard_is_refused_in_words(operator, open_call):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as empty:
        services.save_standard(actor=operator, call=open_call, category="staff")
    assert "最大比例" in " ".join(empty.value.messages) or "或两者" in " ".join(empty.value.messages)
    services.save_standard(actor=operator, call=open_call, category="staff", max_amount=5000)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as twice:
        services.save_standard(actor=operator, call=open_call, category="staff", max_amount=6000)
    message = " ".join(twice.value.messages)
    assert (
        "已为此预算类别" in message and "one_standard_per_category" not in message and "Budget standard" not in message
    )


def test_once_organisations_applied_a_change_needs_a_reason_and_they_are_told(operator, open_call, applicant, mailed):
    organisation, member = applicant
    complete_application(member, open_call, organisation)
    with pytest.raises(ValidationError) as refused:
        services.save_quota(actor=operator, call=open_call, target_group="elderly", min_percent=50)
    assert "reason" in refused.value.message_dict
    quota, sent = mailed(
        lambda: services.save_quota(
            actor=operator, call=open_call, target_group="elderly", min_percent=50, reason="区民政局新要求"
        )
    )
    assert [pk for pk, _subject in sent] == [member.pk]
    event = AuditEvent.objects.get(action="call.quota_changed")
    assert "区民政局新要求" in event.reason and event.actor == operator
    _result, sent = mailed(lambda: services.delete_quota(actor=operator, quota=quota, reason="要求撤回"))
    assert sent and not open_call.quotas.exists()


def test_after_closing_the_rules_no_longer_change(operator, open_call):
    services.close_call_now(actor=operator, call=open_call, reason="")
    with pytest.raises(TransitionError):
        services.save_standard(actor=operator, call=open_call, category="staff", max_amount=1)


def test_a_call_closes_now_and_reopens_with_a_new_deadline_and_a_reason(operator, open_call, applicant, mailed):
    organisation, member = applicant
    application = complete_application(member, open_call, organisation)
    closed = services.close_call_now(actor=operator, call=open_call, reason="名额已满")
    assert closed.status == "closed" and closed.closes_at <= timezone.now()
    with pytest.raises(ValidationError):
        services.submit_application(actor=member, application=application)  # closed means closed
    later = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(TransitionError):
        services.reopen_call(actor=operator, call=closed, closes_at=later, reason="")
    with pytest.raises(ValidationError) as past:
        services.reopen_call(
            actor=operator, call=closed, closes_at=timezone.now() - datetime.timedelta(hours=1), reason="延期"
        )
    assert "closes_at" in past.value.message_dict
    reopened, sent = mailed(
        lambda: services.reopen_call(actor=operator, call=closed, closes_at=later, reason="申报太少")
    )
    assert reopened.status == "open" and [pk for pk, _s in sent] == [member.pk]
    assert services.submit_application(actor=member, application=application).status == "submitted"
    event = AuditEvent.objects.get(action="call.reopen")
    assert (event.from_state, event.to_state, event.reason) == ("closed", "open", "申报太少")


def test_the_rubric_is_edited_per_call_and_per_template_with_weights_adding_to_100(operator, open_call):
    rows = [
        {"name": "需求匹配", "guidance": "", "weight": Decimal("60")},
        {"name": "预算合理", "guidance": "单价是否合理", "weight": Decimal("30")},
    ]
    with pytest.raises(ValidationError) as wrong:
        services.save_rubric(actor=operator, call=open_call, rows=rows)
    assert "90" in wrong.value.messages[0]
    rows[1]["weight"] = Decimal("40")
    services.save_rubric(actor=operator, call=open_call, rows=rows)
    assert list(Criterion.objects.filter(call=open_call).values_list("name", "weight")) == [
        ("需求匹配", 60),
        ("预算合理", 40),
    ]
    template = RubricTemplate.objects.get()
    services.save_rubric(actor=operator, template=template, rows=rows)
    assert template.criteria.count() == 2
    Call.objects.filter(pk=open_call.pk).update(status="reviewing")
    open_call.refresh_from_db()
    with pytest.raises(TransitionError):
        services.save_rubric(actor=operator, call=open_call, rows=rows)


def test_operators_correct_standards_on_the_call_page_and_mistakes_come_back_typed(client, operator, open_call):
    client.force_login(operator)
    url = f"/admin/funding/calls/{open_call.pk}/"
    refused = client.post(
        url, {"action": "add_standard", "category": "staff", "max_percent": "", "max_amount": ""}, **A
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "最大比例" in page or "或两者" in page
    client.post(url, {"action": "add_standard", "category": "staff", "max_percent": "20"}, **A)
    standard = BudgetStandard.objects.get(call=open_call)
    typed = client.post(
        url, {"action": "edit_standard", "standard": standard.pk, "category": "staff", "max_percent": "120"}, **A
    )
    assert typed.status_code == 200 and 'value="120"' in typed.content.decode()
    client.post(url, {"action": "delete_standard", "standard": standard.pk}, **A)
    assert not BudgetStandard.objects.filter(call=open_call).exists()


def test_the_rubric_screen_keeps_what_was_typed_when_the_weights_are_wrong(client, operator, open_call):
    client.force_login(operator)
    url = f"/admin/funding/calls/{open_call.pk}/rubric/"
    page = client.get(url, **A).content.decode()
    assert "criteria-TOTAL_FORMS" in page
    data = {
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "30",
        "criteria-0-name": "社区参与",
        "criteria-0-weight": "70",
        "criteria-1-name": "可持续性",
        "criteria-1-weight": "20",
    }
    response = client.post(url, data, **A)
    body = response.content.decode()
    assert response.status_code == 200 and "社区参与" in body and 'value="70"' in body and "90" in body
    data["criteria-1-weight"] = "30"
    assert client.post(url, data, **A).status_code == 302
    assert list(open_call.criteria.values_list("name", flat=True)) == ["社区参与", "可持续性"]


def test_hub_b_cannot_reach_hub_a_calls_setup(client, in_hub_a, hub_b, open_call):
    from django_tenants.utils import tenant_context

    from incubator.accounts.models import User
    from tests.conftest import HUB_B

    pk = open_call.pk
    with tenant_context(hub_b):
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    B = {"HTTP_HOST": HUB_B["domain"]}
    assert (
        client.post(f"/admin/funding/calls/{pk}/", {"action": "add_standard", "category": "staff"}, **B).status_code
        == 404
    )
    assert client.get(f"/admin/funding/calls/{pk}/rubric/", **B).status_code == 404
    with tenant_context(in_hub_a):
        assert not BudgetStandard.objects.filter(call_id=pk).exists()


CALL_FORM = {
    "title": "2027年社区公益创投",
    "description": "",
    "budget": "200000",
    "per_project_cap": "30000",
    "service_fields": ["charity", "rights"],
    "eligible_legal_forms": [],
    "eligible_tiers": ["basic"],
    "opens_at": "2027-01-04 09:00",
    "closes_at": "2027-02-26 23:59",
    "aggregation": "mean",
    "notice_working_days": "5",
    "first_installment_percent": "40",
    "second_installment_percent": "50",
    "final_installment_percent": "10",
}


def test_a_call_is_set_up_with_labelled_choices_and_date_time_pickers(client, operator):
    from incubator.accounts.models import User

    admin = User.objects.create_superuser(email="root@a.test", password="x" * 12)
    client.force_login(admin)
    form = client.get("/admin/calls/new/", **A).content.decode()
    assert 'type="checkbox" name="service_fields" value="charity"' in form and "公益慈善" in form
    assert 'name="eligible_tiers"' in form and 'initDateTimeChooser("id_closes_at"' in form
    wrong = client.post("/admin/calls/new/", {**CALL_FORM, "closes_at": "2026-12-01 09:00"}, **A)
    page = wrong.content.decode()
    assert wrong.status_code == 200 and "申报截止时间须晚于开始时间" in page
    assert "call_closes_after_it_opens" not in page and "Item 1" not in page
    assert 'value="2027年社区公益创投"' in page  # nothing typed is lost
    created = client.post("/admin/calls/new/", CALL_FORM, **A)
    assert created.status_code == 302, created.context["form"].errors
    call = Call.objects.get(title="2027年社区公益创投")
    assert call.service_fields == ["charity", "rights"] and call.eligible_tiers == ["basic"]
    assert call.closes_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime("%H:%M") == "23:59"


def test_once_organisations_applied_editing_the_budget_needs_a_reason(client, operator, open_call, applicant):
    organisation, member = applicant
    complete_application(member, open_call, organisation)
    client.force_login(operator)
    url = f"/admin/calls/edit/{open_call.pk}/"
    page = client.get(url, **A).content.decode()
    assert 'name="reason"' in page
    fields = {
        **CALL_FORM,
        "title": open_call.title,
        "service_fields": open_call.service_fields,
        "eligible_tiers": [],
        "opens_at": timezone.localtime(open_call.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes_at": timezone.localtime(open_call.closes_at).strftime("%Y-%m-%d %H:%M"),
        "budget": "120000",
        "per_project_cap": str(open_call.per_project_cap),
    }
    refused = client.post(url, fields, **A)
    assert refused.status_code == 200 and "请说明变更原因" in refused.content.decode()
    open_call.refresh_from_db()
    assert open_call.budget == Decimal("100000.00")
    assert client.post(url, {**fields, "reason": "区财政追加预算"}, **A).status_code == 302
    open_call.refresh_from_db()
    assert open_call.budget == Decimal("120000.00")
    event = AuditEvent.objects.get(action="call.changed", subject_id=str(open_call.pk))
    assert "区财政追加预算" in event.reason and "100000.00 → 120000" in event.reason


def test_a_call_created_by_the_service_alone_is_written_with_its_audit_row(operator):
    now = timezone.now()
    call = services.create_call(
        actor=operator,
        title="服务直接创建",
        budget=Decimal("50000"),
        per_project_cap=Decimal("10000"),
        service_fields=["charity"],
        opens_at=now,
        closes_at=now + datetime.timedelta(days=10),
    )
    assert AuditEvent.objects.filter(action="call.changed", subject_id=str(call.pk)).exists()

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from incubator.accounts.roles import Role
from incubator.funding import services
from incubator.funding.models import Application, BudgetLine, Call, Criterion, RubricTemplate
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def open_call(operator):
    now = timezone.now()
    call = Call.objects.create(
        title="2026年江岸区社区公益创投",
        budget=Decimal("100000.00"),
        per_project_cap=Decimal("30000.00"),
        service_fields=["charity", "convenience", "culture_education", "rights"],
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
    )
    services.copy_rubric(actor=operator, call=call, template=RubricTemplate.objects.get())
    return services.open_call(actor=operator, call=call)


COMPLETE = {
    "title": "老人居家防跌倒",
    "service_field": "charity",
    "problem": "空巢老人居家安全风险高",
    "target_groups": ["elderly"],
    "beneficiaries": 80,
    "activities": "入户评估、适老化改造、回访",
    "starts_on": datetime.date(2027, 1, 1),
    "ends_on": datetime.date(2027, 12, 31),
}
OBJECTIVES = [
    {"term": "short", "description": "完成入户评估", "indicator": "评估户数", "target": Decimal("80"), "unit": "户"},
    {"term": "medium", "description": "完成适老化改造", "indicator": "改造户数", "target": Decimal("50"), "unit": "户"},
    {
        "term": "long",
        "description": "降低跌倒发生率",
        "indicator": "跌倒发生率下降",
        "target": Decimal("30"),
        "unit": "%",
    },
]
BUDGET = [
    {"category": "activities", "item": "适老化改造材料", "amount": "15000"},
    {"category": "staff", "item": "社工补贴", "amount": "6000"},
    {"category": "administration", "item": "管理费", "amount": "2000"},
]


def complete_application(actor, call, organisation, **overrides):
    application = services.start_application(actor=actor, call=call, organisation=organisation)
    return services.save_draft(
        actor=actor,
        application=application,
        fields={**COMPLETE, **overrides},
        objectives=OBJECTIVES,
        budget_lines=overrides.pop("budget", BUDGET),
    )


@pytest.fixture
def applicant(in_hub_a):
    organisation = OrganisationFactory(name="武汉晚晴枫养老助残服务中心", legal_form="social_service")
    return organisation, UserFactory(
        email="wanqingfeng@org.test", roles=[Role.ORGANISATION_MEMBER], member_of=organisation
    )


def in_review(operator, call, applicant):
    """A complete application submitted, sent to review, and its call under review."""
    organisation, member = applicant
    application = complete_application(member, call, organisation)
    services.submit_application(actor=member, application=application)
    services.screen(actor=operator, application=application, accept=True)
    Call.objects.filter(pk=call.pk).update(status="reviewing")
    return Application.objects.get(pk=application.pk)


def reviewed(call, operator, organisation, score, groups, amount, expert):
    """An application already through submission and screening (those steps have their own tests)."""
    application = Application.objects.create(
        call=call, organisation=organisation, title=organisation.name, target_groups=groups, status="in_review"
    )
    BudgetLine.objects.create(application=application, category="activities", item="活动", amount=Decimal(amount))
    [assignment] = services.assign_experts(actor=operator, application=application, experts=[expert])
    criteria = Criterion.objects.filter(call=call)
    services.submit_scores(actor=expert, assignment=assignment, scores={c.pk: (score, "") for c in criteria})
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def reviewing_call(operator, open_call):
    Call.objects.filter(pk=open_call.pk).update(status="reviewing")
    open_call.refresh_from_db()
    return open_call

"""Fixtures for funded projects: an awarded application, its project, and the people around it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from incubator.accounts.roles import Role
from incubator.projects import services
from tests.factories import ApplicationFactory, ObjectiveFactory, OrganisationFactory, UserFactory

TODAY = timezone.localdate
# The budget of make_awarded's application: it adds up to the award, so each line is approved as it stands.
BUDGET = (
    ("activities", "适老化改造材料", "20000.00"),
    ("staff", "社工补贴", "10000.00"),
    ("administration", "管理费", "3333.33"),
)


def make_awarded(*, starts_on=None, ends_on=None, organisation=None, title="老人居家防跌倒", budget=BUDGET):
    """An awarded application with three objectives and its budget lines, in the current schema."""
    from incubator.funding.models import BudgetLine

    application = ApplicationFactory(
        call__title="2026年公益创投",
        call__service_fields=["charity"],
        organisation=organisation or OrganisationFactory(name="武汉晚晴枫养老助残服务中心"),
        title=title,
        awarded_amount=Decimal("33333.33"),
        starts_on=starts_on or TODAY() - datetime.timedelta(days=120),
        ends_on=ends_on or TODAY() + datetime.timedelta(days=120),
        beneficiaries=80,
    )
    for term, description, indicator, target, unit in (
        ("short", "完成入户评估", "评估户数", "80", "户"),
        ("medium", "完成适老化改造", "改造户数", "50", "户"),
        ("long", "降低跌倒发生率", "跌倒发生率下降", "30", "%"),
    ):
        ObjectiveFactory(
            application=application,
            term=term,
            description=description,
            indicator=indicator,
            target=Decimal(target),
            unit=unit,
        )
    for category, item, amount in budget:
        BudgetLine.objects.create(application=application, category=category, item=item, amount=Decimal(amount))
    return application


@pytest.fixture
def awarded(in_hub_a):
    return make_awarded()


@pytest.fixture
def project(operator, awarded):
    return services.create_project(actor=operator, application=awarded)


@pytest.fixture
def project_member(project):
    return UserFactory(
        email="wanqingfeng@org.test", roles=[Role.ORGANISATION_MEMBER], member_of=project.application.organisation
    )


@pytest.fixture
def supervisor(in_hub_a):
    return UserFactory(email="dudao@supervision.test", roles=[Role.SUPERVISOR])


@pytest.fixture
def evaluator(in_hub_a):
    return UserFactory(email="pinggu@evaluation.test", roles=[Role.EVALUATOR])


def values_for(project, actual="10"):
    return {o.pk: (actual, "") for o in project.application.objectives.all()}


def spending_for(project, **actuals):
    """The financial statement: each budget line spent as approved, unless ``actuals`` (by item) says otherwise
    as (actual, note)."""
    return {
        line.pk: actuals.get(line.item, (str(approved), "")) for line, approved in services.approved_budget(project)
    }


def scores_for(project, score="8"):
    return {o.pk: ("40", score, "") for o in project.application.objectives.all()}


def next_period_start(project):
    """The day after the last period reported (reports of one project never overlap)."""
    last = project.reports.order_by("-period_end").first()
    return last.period_end + datetime.timedelta(days=1) if last else project.starts_on


def submit_final_report(project, member):
    return services.submit_report(
        actor=member,
        project=project,
        kind="final",
        period_start=next_period_start(project),
        period_end=TODAY(),
        summary="项目完成",
        values=values_for(project),
        spending=spending_for(project),
    )


def run_to(project, *, operator, member, supervisor, evaluator, state):
    """Drive a project through the lifecycle up to ``state`` with the real services."""
    order = [
        "active",
        "mid_term_review",
        "mid_term_accepted",
        "final_report_submitted",
        "final_report_accepted",
        "appraisal",
        "evaluating",
    ]
    project.refresh_from_db()
    if project.status == "contracting":
        services.sign_contract(actor=operator, project=project, signed_by_organisation="王敏", signed_by_hub="李强")
        services.assign_supervisor(
            actor=operator, project=project, supervisor=supervisor, agency="江岸区社会组织服务中心"
        )
        services.assign_evaluator(actor=operator, project=project, evaluator=evaluator, agency="武汉市社会工作评估中心")
    accepted = project.mid_term_accepted_on and project.status in ("active", "final_report_due")
    reached = "mid_term_accepted" if accepted else project.status
    done = order.index(reached) if reached in order else 0
    for step in order[done + 1 : order.index(state) + 1]:
        if step == "mid_term_review":
            services.start_mid_term_review(actor=supervisor, project=project)
        elif step == "mid_term_accepted":
            services.record_mid_term_review(actor=supervisor, project=project, opinion="进度正常", accepted=True)
        elif step == "final_report_submitted":
            submit_final_report(project, member)
        elif step == "final_report_accepted":
            services.accept_final_report(actor=operator, project=project)
        elif step == "appraisal":
            services.start_appraisal(actor=operator, project=project)
        elif step == "evaluating":
            services.start_evaluation(actor=operator, project=project)
    project.refresh_from_db()
    return project


@pytest.fixture
def people(operator, project_member, supervisor, evaluator):
    return {"operator": operator, "member": project_member, "supervisor": supervisor, "evaluator": evaluator}


def drive(project, people, state):
    """``run_to`` with the ``people`` fixture; the project as it stands afterwards."""
    run_to(project, **people, state=state)
    project.refresh_from_db()
    return project

"""The whole project lifecycle through the services, with the installment conditions at each step."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incubator.audit.models import AuditEvent
from incubator.projects import services
from incubator.projects.models import Rectification
from incubator.workflow import TransitionError
from tests.factories import UserFactory
from tests.incubator.projects.conftest import TODAY, run_to, scores_for, values_for

pytestmark = pytest.mark.django_db


def test_from_contract_to_closing(operator, project, project_member, supervisor, evaluator):
    first, second, last = project.installments.all()
    assert (first.percent, second.percent, last.percent) == (40, 50, 10)
    assert first.amount + second.amount + last.amount == project.award

    with pytest.raises(TransitionError):
        services.release_installment(actor=operator, installment=first)  # not signed yet
    with pytest.raises(ValidationError):
        services.sign_contract(actor=operator, project=project, signed_by_organisation="", signed_by_hub="")
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    services.release_installment(actor=operator, installment=first)
    with pytest.raises(TransitionError):
        services.release_installment(actor=operator, installment=second)  # mid-term review not accepted

    services.record_activity(
        actor=project_member, project=project, held_on=TODAY(), title="入户评估", participants=30, beneficiaries=25
    )
    services.submit_report(
        actor=project_member,
        project=project,
        kind="periodic",
        period_start=project.starts_on,
        period_end=TODAY() - datetime.timedelta(days=10),
        summary="第一阶段",
        values=values_for(project, "40"),
    )
    with pytest.raises(ValidationError):  # the final report waits for the mid-term review
        services.submit_report(
            actor=project_member,
            project=project,
            kind="final",
            period_start=TODAY() - datetime.timedelta(days=9),
            period_end=TODAY(),
            summary="完成",
            values=values_for(project),
        )
    services.start_mid_term_review(actor=supervisor, project=project)
    services.record_mid_term_review(actor=supervisor, project=project, opinion="进度正常", accepted=True)
    services.release_installment(actor=operator, installment=second)

    run_to(
        project,
        operator=operator,
        member=project_member,
        supervisor=supervisor,
        evaluator=evaluator,
        state="evaluating",
    )
    rows = services.progress(project)
    assert rows[0]["cumulative"] == Decimal("50") and rows[0]["percent"] == Decimal("62")
    with pytest.raises(TransitionError):
        services.release_installment(actor=operator, installment=last)  # 尾款 waits for acceptance

    services.submit_evaluation(
        actor=evaluator,
        project=project,
        grade="excellent",
        scores=scores_for(project, "9.5"),
        findings="成效显著",
        recommendations="推广经验",
    )
    project = services.accept_project(actor=operator, project=project)
    assert project.status == "closed" and project.is_brand
    assert all(i.released_on for i in project.installments.all())
    assert services.money_summary(project)["released"] == project.award
    actions = list(AuditEvent.objects.filter(subject_id=str(project.pk)).values_list("action", flat=True))
    assert "project.accept" in actions and actions.count("installment.released") == 3


def test_a_failing_evaluation_sends_the_project_to_rectification_then_back(
    operator, project, project_member, supervisor, evaluator
):
    run_to(
        project,
        operator=operator,
        member=project_member,
        supervisor=supervisor,
        evaluator=evaluator,
        state="evaluating",
    )
    with pytest.raises(ValidationError):  # a failing grade needs a deadline
        services.submit_evaluation(
            actor=evaluator,
            project=project,
            grade="fail",
            scores=scores_for(project, "3"),
            findings="x",
            recommendations="y",
        )
    services.submit_evaluation(
        actor=evaluator,
        project=project,
        grade="fail",
        scores=scores_for(project, "3"),
        findings="台账不全",
        recommendations="补齐活动台账",
        rectify_by=TODAY() + datetime.timedelta(days=20),
    )
    project.refresh_from_db()
    assert project.status == "rectifying" and project.resume_status == "evaluating"
    with pytest.raises(TransitionError):
        services.accept_project(actor=operator, project=project)
    rectification = Rectification.objects.get(project=project)
    services.answer_rectification(actor=project_member, rectification=rectification, answer="已补齐")
    services.review_rectification(actor=evaluator, rectification=rectification, accept=True)
    project.refresh_from_db()
    assert project.status == "evaluating"
    services.submit_evaluation(
        actor=evaluator,
        project=project,
        grade="pass",
        scores=scores_for(project, "7"),
        findings="整改到位",
        recommendations="保持",
    )
    with pytest.raises(TransitionError):  # the earlier installments were never released
        services.accept_project(actor=operator, project=project)
    for installment in project.installments.all()[:2]:
        services.release_installment(actor=operator, installment=installment)
    project = services.accept_project(actor=operator, project=project)
    assert project.status == "closed" and not project.is_brand


def test_supervision_rectification_round_trip_and_overdue_flag(
    operator, project, project_member, supervisor, evaluator
):
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    services.record_visit(
        actor=supervisor,
        project=project,
        visited_on=TODAY(),
        findings="签到表缺失",
        rectification="补充签到表",
        rectify_by=TODAY() + datetime.timedelta(days=7),
    )
    project.refresh_from_db()
    assert project.status == "rectifying"
    rectification = Rectification.objects.get(project=project)
    assert services.flag_overdue_rectifications(today=TODAY() + datetime.timedelta(days=8)) == 1
    assert services.flag_overdue_rectifications(today=TODAY() + datetime.timedelta(days=9)) == 0
    rectification.refresh_from_db()
    assert rectification.overdue_since == TODAY() + datetime.timedelta(days=8)
    services.answer_rectification(actor=project_member, rectification=rectification, answer="已补充")
    with pytest.raises(ValidationError):
        services.review_rectification(actor=supervisor, rectification=rectification, accept=False, comment="")
    services.review_rectification(actor=supervisor, rectification=rectification, accept=False, comment="仍缺三月")
    services.answer_rectification(actor=project_member, rectification=rectification, answer="三月已补")
    services.review_rectification(actor=supervisor, rectification=rectification, accept=True)
    project.refresh_from_db()
    assert project.status == "active"


def test_roles_are_walled(operator, project, project_member, supervisor, evaluator, member):

    other_supervisor = UserFactory(email="other@supervision.test", roles=["supervisor"])
    with pytest.raises(PermissionDenied):
        services.sign_contract(actor=project_member, project=project, signed_by_organisation="a", signed_by_hub="b")
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    with pytest.raises(PermissionDenied):
        services.record_visit(actor=other_supervisor, project=project, visited_on=TODAY(), findings="x")
    with pytest.raises(PermissionDenied):  # a member of another organisation
        services.record_activity(actor=member, project=project, held_on=TODAY(), title="x")
    with pytest.raises(PermissionDenied):
        services.start_mid_term_review(actor=evaluator, project=project)
    with pytest.raises(ValidationError):  # the supervisor is no independent evaluator
        services.assign_evaluator(actor=operator, project=project, evaluator=supervisor)
    assert list(services.projects_for(other_supervisor)) == []
    assert list(services.projects_for(supervisor)) == [project]
    assert list(services.projects_for(member)) == []


def test_termination_keeps_what_was_released(operator, project, project_member, supervisor, evaluator):
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    first, second, _last = project.installments.all()
    services.release_installment(actor=operator, installment=first)
    with pytest.raises(TransitionError):
        services.terminate_project(actor=operator, project=project, reason="  ")
    services.terminate_project(actor=operator, project=project, reason="负责人离职，无法继续")
    project.refresh_from_db()
    assert project.status == "terminated" and services.money_summary(project)["released"] == first.amount
    with pytest.raises(TransitionError):
        services.start_mid_term_review(actor=operator, project=project)

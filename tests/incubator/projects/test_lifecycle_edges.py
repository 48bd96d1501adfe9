"""The lifecycle's less travelled paths: a project that ends before its mid-term review, who is told of which
step, rectifications of a terminated project, independence of supervisor and evaluator, and the daily jobs
run on the real clock, frozen with time-machine."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from incubator.permissions import operators
from incubator.projects import services, tasks
from incubator.projects.models import Project, Rectification
from incubator.workflow import TransitionError
from tests.factories import UserFactory
from tests.incubator.projects.conftest import TODAY, make_awarded, run_to, scores_for, submit_final_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def drive(operator, supervisor, evaluator):
    """run_to with this test's operator, supervisor and evaluator."""

    def run(project, member, state):
        return run_to(
            project, operator=operator, member=member, supervisor=supervisor, evaluator=evaluator, state=state
        )

    return run


def _member_of(application):
    from incubator.accounts.roles import Role

    return UserFactory(
        email=f"member-{application.pk}@org.test",
        roles=[Role.ORGANISATION_MEMBER],
        member_of=application.organisation,
    )


def test_a_project_that_ends_before_its_mid_term_review_can_still_have_it(operator, supervisor, evaluator):
    application = make_awarded(ends_on=TODAY() - datetime.timedelta(days=3))
    project_member = _member_of(application)
    project = services.create_project(actor=operator, application=application)
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    assert services.final_report_reminders()["moved_to_final_report"] == 1
    project.refresh_from_db()
    assert project.status == "final_report_due"
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        submit_final_report(project, project_member)
    assert "The mid-term review has not been accepted yet." in refused.value.messages

    # The review starts from "final report due" and, accepted, leads back to it (not to implementation).
    services.start_mid_term_review(actor=supervisor, project=project)
    services.record_mid_term_review(actor=supervisor, project=project, opinion="补做中期评估", accepted=True)
    project.refresh_from_db()
    assert project.status == "final_report_due" and project.mid_term_accepted_on == TODAY()
    assert project.installments.get(position=2).condition_met_on == TODAY()
    with pytest.raises(TransitionError) as again, translation.override("en"):
        services.start_mid_term_review(actor=supervisor, project=project)
    assert "already accepted" in again.value.message
    submit_final_report(project, project_member)
    project.refresh_from_db()
    assert project.status == "final_report_submitted"


def test_the_people_whose_turn_it_is_are_mailed(operator, project, project_member, supervisor, evaluator, mailed):
    run_to(
        project,
        operator=operator,
        member=project_member,
        supervisor=supervisor,
        evaluator=evaluator,
        state="mid_term_accepted",
    )
    staff = {user.pk for user in operators()}
    assert operator.pk in staff

    _release, sent = mailed(
        lambda: services.release_installment(actor=operator, installment=project.installments.get(position=1))
    )
    assert {pk for pk, _subject in sent} == {project_member.pk}  # the organisation learns of its money

    _report, sent = mailed(lambda: submit_final_report(project, project_member))
    assert staff <= {pk for pk, _subject in sent}  # the next step (the appraisal) is the operators'
    assert project_member.pk in {pk for pk, _subject in sent}

    run_to(
        project,
        operator=operator,
        member=project_member,
        supervisor=supervisor,
        evaluator=evaluator,
        state="evaluating",
    )
    _evaluation, sent = mailed(
        lambda: services.submit_evaluation(
            actor=evaluator,
            project=project,
            grade="good",
            scores=scores_for(project),
            findings="目标达成",
            recommendations="继续",
        )
    )
    assert staff <= {pk for pk, _subject in sent}  # acceptance is the operators' to give


def test_a_terminated_projects_rectifications_are_not_chased(operator, project, project_member, supervisor, evaluator):
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    rectification = services.require_rectification(
        actor=supervisor,
        project=project,
        requirement="补齐签到表",
        due_on=TODAY() + datetime.timedelta(days=5),
        source="supervision",
    )
    services.terminate_project(actor=operator, project=project, reason="机构停止运营")
    assert services.flag_overdue_rectifications(today=TODAY() + datetime.timedelta(days=10)) == 0
    assert Rectification.objects.get(pk=rectification.pk).overdue_since is None
    with pytest.raises(TransitionError):
        services.answer_rectification(actor=project_member, rectification=rectification, answer="已补齐")
    assert Rectification.objects.get(pk=rectification.pk).status == "open"


def test_supervisor_and_evaluator_are_independent_whichever_is_assigned_first(operator, project, supervisor):
    from incubator.accounts.roles import Role, ensure_roles

    supervisor.groups.add(ensure_roles()[Role.EVALUATOR])  # one person holding both roles
    services.assign_evaluator(actor=operator, project=project, evaluator=supervisor)
    with pytest.raises(ValidationError):
        services.assign_supervisor(actor=operator, project=project, supervisor=supervisor)
    assert Project.objects.get(pk=project.pk).supervisor_id is None


def test_the_daily_jobs_follow_the_real_clock(operator, supervisor, evaluator):
    """The beat tasks take no date: they read the hub's clock, here frozen in Asia/Shanghai."""
    ends_on = datetime.date(2026, 6, 30)
    application = make_awarded(starts_on=datetime.date(2026, 1, 5), ends_on=ends_on)
    project_member = _member_of(application)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        project = services.create_project(actor=operator, application=application)
        run_to(
            project,
            operator=operator,
            member=project_member,
            supervisor=supervisor,
            evaluator=evaluator,
            state="active",
        )
        rectification = services.require_rectification(
            actor=supervisor,
            project=project,
            requirement="补齐签到表",
            due_on=datetime.date(2026, 3, 10),
            source="supervision",
        )
    assert project.final_report_due_on == datetime.date(2026, 7, 30)

    # 10 March, 23:30 in Shanghai is still the deadline's day (UTC says 15:30): not overdue yet.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 15, 30, tzinfo=datetime.UTC), tick=False):
        assert tasks.flag_overdue_rectifications() == 0
    # 11 March, 00:30 in Shanghai (still the 10th in UTC): overdue.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 16, 30, tzinfo=datetime.UTC), tick=False):
        assert tasks.flag_overdue_rectifications() == 1
    assert Rectification.objects.get(pk=rectification.pk).overdue_since == datetime.date(2026, 3, 11)
    with time_machine.travel(datetime.datetime(2026, 3, 12, 2, 0, tzinfo=datetime.UTC), tick=False):
        services.answer_rectification(actor=project_member, rectification=rectification, answer="已补齐")
        services.review_rectification(actor=supervisor, rectification=rectification, accept=True)
    assert Project.objects.get(pk=project.pk).status == "active"

    with time_machine.travel(datetime.datetime(2026, 6, 30, 12, 0, tzinfo=datetime.UTC), tick=False):
        assert tasks.final_report_reminders()["moved_to_final_report"] == 0  # its last day
    with time_machine.travel(datetime.datetime(2026, 7, 16, 1, 0, tzinfo=datetime.UTC), tick=False):
        assert tasks.final_report_reminders() == {"moved_to_final_report": 1, "reminders": 1, "newly_overdue": 0}
    with time_machine.travel(datetime.datetime(2026, 7, 31, 1, 0, tzinfo=datetime.UTC), tick=False):
        assert tasks.final_report_reminders()["newly_overdue"] == 1
    assert Project.objects.get(pk=project.pk).final_report_overdue


def test_the_grade_agrees_with_the_score_or_the_evaluator_says_why(drive, project, project_member, evaluator):
    from incubator.projects.models import Evaluation
    from incubator.projects.services.evaluation import grade_for

    assert [grade_for(Decimal(s)) for s in ("100", "90", "89.99", "80", "79.99", "60", "59.99", "0")] == [
        "excellent", "excellent", "good", "good", "pass", "pass", "fail", "fail",
    ]  # fmt: skip
    drive(project, project_member, "evaluating")
    common = {"actor": evaluator, "project": project, "findings": "目标达成", "recommendations": "继续"}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.submit_evaluation(grade="excellent", scores=scores_for(project, "8"), **common)  # 80: 良好
    assert "grade_reason" in refused.value.message_dict
    assert "80.00" in refused.value.message_dict["grade_reason"][0]
    assert not Evaluation.objects.filter(project=project).exists()
    evaluation = services.submit_evaluation(
        grade="excellent", scores=scores_for(project, "8"), grade_reason="入户回访证实成效远超指标", **common
    )
    assert (evaluation.grade, evaluation.grade_reason) == ("excellent", "入户回访证实成效远超指标")


def test_a_grade_that_agrees_needs_no_reason_and_keeps_none(drive, project, project_member, evaluator):
    drive(project, project_member, "evaluating")
    evaluation = services.submit_evaluation(
        actor=evaluator, project=project, grade="good", scores=scores_for(project, "8"), findings="达成",
        recommendations="继续", grade_reason="多余的说明",
    )  # fmt: skip
    assert evaluation.grade_reason == ""

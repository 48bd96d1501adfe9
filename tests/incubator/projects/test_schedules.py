"""Scheduled jobs: final-report reminders and overdue flags, overdue rectifications, projects opened from
awards. Dates are frozen by passing ``today``; one test runs the real beat task in a real worker."""

import datetime

import pytest

from incubator.funding.models import Application, PublicNotice
from incubator.funding.services import close_notices
from incubator.orgs.models import Reminder
from incubator.projects import services
from incubator.projects.models import Project
from tests.incubator.projects.conftest import TODAY, make_awarded, run_to

pytestmark = pytest.mark.django_db


def _signed(operator, member, supervisor, evaluator, **dates):
    application = make_awarded(**dates)
    project = services.create_project(actor=operator, application=application)
    return run_to(project, operator=operator, member=member, supervisor=supervisor, evaluator=evaluator, state="active")


def test_final_report_is_asked_for_reminded_and_flagged_overdue(operator, supervisor, evaluator, member):
    ends_on = TODAY() + datetime.timedelta(days=10)
    project = _signed(operator, member, supervisor, evaluator, ends_on=ends_on)
    assert project.final_report_due_on == services.add_months(ends_on, 1)
    due = project.final_report_due_on

    # Before the end: nothing happens.
    assert services.final_report_reminders(today=ends_on) == {
        "moved_to_final_report": 0,
        "reminders": 0,
        "newly_overdue": 0,
    }
    # The day after the end, the project waits for its final report.
    result = services.final_report_reminders(today=ends_on + datetime.timedelta(days=1))
    assert result["moved_to_final_report"] == 1
    project.refresh_from_db()
    assert project.status == "final_report_due"
    # 14 days before: one reminder, and running the job twice sends nothing twice.
    assert services.final_report_reminders(today=due - datetime.timedelta(days=14))["reminders"] == 1
    assert services.final_report_reminders(today=due - datetime.timedelta(days=14))["reminders"] == 0
    # A job that missed the 7-day run catches up once at 5 days.
    assert services.final_report_reminders(today=due - datetime.timedelta(days=5))["reminders"] == 1
    assert services.final_report_reminders(today=due - datetime.timedelta(days=3))["reminders"] == 0
    # After the due date: flagged overdue, once.
    assert services.final_report_reminders(today=due + datetime.timedelta(days=1))["newly_overdue"] == 1
    assert services.final_report_reminders(today=due + datetime.timedelta(days=2))["newly_overdue"] == 0
    project.refresh_from_db()
    assert project.final_report_overdue
    keys = set(Reminder.objects.filter(organisation=project.application.organisation).values_list("key", flat=True))
    assert keys == {
        f"final-report-{project.pk}-14",
        f"final-report-{project.pk}-7",
        f"final-report-{project.pk}-overdue",
    }


def test_a_submitted_final_report_clears_the_overdue_flag_and_stops_reminders(
    operator, supervisor, evaluator, project_member, project
):
    project = run_to(
        project,
        operator=operator,
        member=project_member,
        supervisor=supervisor,
        evaluator=evaluator,
        state="mid_term_accepted",
    )
    due = project.final_report_due_on
    services.final_report_reminders(today=due + datetime.timedelta(days=1))
    project.refresh_from_db()
    assert project.final_report_overdue
    run_to(
        project,
        operator=operator,
        member=project_member,
        supervisor=supervisor,
        evaluator=evaluator,
        state="final_report_submitted",
    )
    project.refresh_from_db()
    assert project.status == "final_report_submitted" and not project.final_report_overdue
    assert services.final_report_reminders(today=due + datetime.timedelta(days=3)) == {
        "moved_to_final_report": 0,
        "reminders": 0,
        "newly_overdue": 0,
    }


def test_awards_made_final_by_the_notice_job_open_their_projects(operator, awarded):
    Application.objects.filter(pk=awarded.pk).update(status="in_notice")
    PublicNotice.objects.create(
        call=awarded.call, starts_on=TODAY() - datetime.timedelta(days=10), ends_on=TODAY() - datetime.timedelta(days=3)
    )
    assert close_notices(today=TODAY())["awarded"] == 1
    project = Project.objects.get(application=awarded)
    assert project.status == "contracting" and project.award == awarded.awarded_amount
    assert sum(i.amount for i in project.installments.all()) == project.award
    assert close_notices(today=TODAY())["awarded"] == 0 and Project.objects.count() == 1

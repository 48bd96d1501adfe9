"""The buttons of a project's back-office page, and opening the projects of final awards."""

from __future__ import annotations

from django.utils.translation import gettext as _

from incubator.funding.models import Application, ApplicationStatus
from incubator.projects.models import (
    Project,
)
from incubator.projects.services.appraisal import start_appraisal
from incubator.projects.services.contract import create_project
from incubator.projects.services.evaluation import accept_project, start_evaluation, terminate_project
from incubator.projects.services.final_account import accept_final_report, return_final_report
from incubator.projects.services.supervision import ask_for_final_report, start_mid_term_review
from incubator.workflow import TransitionError


def take_step(*, actor, project: Project, name: str, reason: str = "") -> Project:
    """The buttons on a project's page, by name; each runs its own service."""
    steps = {
        "start_mid_term": lambda: start_mid_term_review(actor=actor, project=project),
        "final_report_due": lambda: ask_for_final_report(actor=actor, project=project),
        "accept_final_report": lambda: accept_final_report(actor=actor, project=project),
        "return_final_report": lambda: return_final_report(actor=actor, project=project, reason=reason),
        "start_appraisal": lambda: start_appraisal(actor=actor, project=project),
        "start_evaluation": lambda: start_evaluation(actor=actor, project=project),
        "accept": lambda: accept_project(actor=actor, project=project),
        "terminate": lambda: terminate_project(actor=actor, project=project, reason=reason),
    }
    if name not in steps:
        raise TransitionError(_("There is no action “%(name)s”.") % {"name": name})
    return steps[name]()


def open_projects_for_awards() -> int:
    """Awards made final (by the notice job) open their projects; safe to run again."""
    opened = 0
    for application in Application.objects.filter(status=ApplicationStatus.AWARDED, project__isnull=True):
        create_project(actor=None, application=application, system=True)
        opened += 1
    return opened

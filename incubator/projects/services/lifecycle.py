"""A funded project's workflow (PROJECT), who sees and may act on a project, and how its people are told.

Every change of a project's state goes through ``run_transition`` with ``PROJECT`` (guarded, audited,
notified on commit), through ``_step`` below; the other modules of this package write the records of
each stage, checking the actor's role and assignment first and validating everything before they write.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.accounts.roles import Role
from incubator.notifications.models import NotificationKind
from incubator.notifications.services import notify
from incubator.orgs.selectors import members_of
from incubator.permissions import (
    APPRAISAL_ORGANISERS,
    OPERATORS,
    ORGANISATION_PEOPLE,
    PROJECT_REVIEWERS,
    can_act_for,
    is_operator,
    operators,
    require_role,
    user_has_role,
)
from incubator.projects.models import (
    FINISHED,
    Project,
    ProjectStatus,
)
from incubator.workflow import Transition, Workflow, run_transition

CENT = Decimal("0.01")
S = ProjectStatus
MEMBERS = ORGANISATION_PEOPLE
REVIEWERS = PROJECT_REVIEWERS
IMPLEMENTING = (S.ACTIVE, S.MID_TERM_REVIEW, S.RECTIFYING, S.FINAL_REPORT_DUE)
RECTIFIABLE = (S.ACTIVE, S.MID_TERM_REVIEW, S.FINAL_REPORT_DUE, S.EVALUATING)
UNFINISHED = tuple(s for s in S.values if s not in FINISHED)

PROJECT = Workflow(
    name="project",
    states=ProjectStatus,
    transitions=[
        Transition("sign", (S.CONTRACTING,), S.ACTIVE, OPERATORS, gettext_lazy("Record the signing")),
        # A project may reach its end (and "final report due") before its mid-term review took place: the review
        # can still start from there, and its acceptance leads back to the final report, which needs it.
        Transition(
            "start_mid_term",
            (S.ACTIVE, S.FINAL_REPORT_DUE),
            S.MID_TERM_REVIEW,
            REVIEWERS,
            gettext_lazy("Start the mid-term review"),
        ),
        Transition(
            "accept_mid_term", (S.MID_TERM_REVIEW,), S.ACTIVE, REVIEWERS, gettext_lazy("Accept the mid-term review")
        ),
        Transition(
            "accept_mid_term_after_end",
            (S.MID_TERM_REVIEW,),
            S.FINAL_REPORT_DUE,
            REVIEWERS,
            gettext_lazy("Accept the mid-term review"),
        ),
        Transition(
            "rectify", RECTIFIABLE, S.RECTIFYING, REVIEWERS | {Role.EVALUATOR}, gettext_lazy("Require rectification")
        ),
        # After the last rectification is accepted, the project goes back to where it was.
        Transition("resume_active", (S.RECTIFYING,), S.ACTIVE, REVIEWERS, gettext_lazy("Resume implementation")),
        Transition(
            "resume_mid_term", (S.RECTIFYING,), S.MID_TERM_REVIEW, REVIEWERS, gettext_lazy("Resume the mid-term review")
        ),
        Transition(
            "resume_final_report",
            (S.RECTIFYING,),
            S.FINAL_REPORT_DUE,
            REVIEWERS,
            gettext_lazy("Resume: final report due"),
        ),
        Transition(
            "resume_evaluation",
            (S.RECTIFYING,),
            S.EVALUATING,
            REVIEWERS | {Role.EVALUATOR},
            gettext_lazy("Evaluate again"),
        ),
        Transition(
            "final_report_due", (S.ACTIVE,), S.FINAL_REPORT_DUE, OPERATORS, gettext_lazy("Ask for the final report")
        ),
        Transition(
            "submit_final_report",
            (S.ACTIVE, S.FINAL_REPORT_DUE),
            S.FINAL_REPORT_SUBMITTED,
            MEMBERS,
            gettext_lazy("Submit the final report"),
        ),
        # The hub checks the final report and its financial statement (决算): accepted, or returned to the
        # organisation with the reason, to be corrected and submitted again.
        Transition(
            "accept_final_report",
            (S.FINAL_REPORT_SUBMITTED,),
            S.FINAL_REPORT_ACCEPTED,
            OPERATORS,
            gettext_lazy("Accept the final report"),
        ),
        Transition(
            "return_final_report",
            (S.FINAL_REPORT_SUBMITTED,),
            S.FINAL_REPORT_DUE,
            OPERATORS,
            gettext_lazy("Return the final report"),
            needs_reason=True,
        ),
        Transition(
            "start_appraisal",
            (S.FINAL_REPORT_ACCEPTED,),
            S.APPRAISAL,
            APPRAISAL_ORGANISERS,
            gettext_lazy("Open the residents' appraisal"),
        ),
        Transition("start_evaluation", (S.APPRAISAL,), S.EVALUATING, OPERATORS, gettext_lazy("Start the evaluation")),
        Transition("evaluate", (S.EVALUATING,), S.EVALUATED, {Role.EVALUATOR}, gettext_lazy("Submit the evaluation")),
        Transition("accept", (S.EVALUATED,), S.CLOSED, OPERATORS, gettext_lazy("Accept and close the project")),
        Transition("terminate", UNFINISHED, S.TERMINATED, OPERATORS, gettext_lazy("Terminate"), needs_reason=True),
    ],
)
RESUME = {
    S.ACTIVE: "resume_active",
    S.MID_TERM_REVIEW: "resume_mid_term",
    S.FINAL_REPORT_DUE: "resume_final_report",
    S.EVALUATING: "resume_evaluation",
}
# Transitions a person takes from the project's page; the others run inside the services below.
BUTTONS = (
    "start_mid_term",
    "final_report_due",
    "accept_final_report",
    "return_final_report",
    "start_appraisal",
    "start_evaluation",
    "accept",
    "terminate",
)
REMIND_DAYS_BEFORE = (14, 7, 1)


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Who sees what ------------------------------------------------------------------------------------


def projects_for(user):
    """The projects a person may see: operators all; supervisors and evaluators their assigned ones;
    organisation members their organisations' ones. Anyone else: none."""
    base = Project.objects.select_related("application__organisation", "application__call")
    if not user or not user.is_authenticated:
        return base.none()
    if is_operator(user):
        return base
    from django.db.models import Q

    return base.filter(
        Q(supervisor=user) | Q(evaluator=user) | Q(application__organisation__memberships__user=user)
    ).distinct()


def _current(project: Project) -> Project:
    """The project as stored now: callers may hold an instance from before an earlier step."""
    return Project.objects.select_related("application__organisation", "supervisor", "evaluator").get(pk=project.pk)


_require = require_role


def _require_member(actor, project):
    if not (actor and actor.is_authenticated and can_act_for(actor, project.application.organisation)):
        raise PermissionDenied(_("You do not act for the organisation running this project."))


def _require_supervisor(actor, project):
    """The project's own supervisor, or an operator."""
    if is_operator(actor):
        return
    if not (user_has_role(actor, {Role.SUPERVISOR}) and project.supervisor_id == actor.pk):
        raise PermissionDenied(_("Only the project's assigned supervisor or a hub operator may do this."))


def _require_evaluator(actor, project):
    if not (actor and actor.pk and project.evaluator_id == actor.pk and user_has_role(actor, {Role.EVALUATOR})):
        raise PermissionDenied(_("Only the evaluator assigned to this project may evaluate it."))


# --- Notifications ------------------------------------------------------------------------------------


def _everyone(project, event: str, context: dict, *, kind: str | None = None, operators_too: bool = True):
    """Tell the organisation (as ``kind``, or the event's own), and the supervisor and (optionally) the
    operators as operations, once the transaction commits."""
    context = {"project": project, **context}
    notify(event, to=members_of(project.application.organisation), context=context, kind=kind)
    staff = [project.supervisor, *(operators() if operators_too else ())]
    notify(event, to=staff, context=context, kind=NotificationKind.OPERATIONS)


# States in which the next step is the operators' (check the final report, open the appraisal, accept the
# evaluation, follow up).
WAITING_FOR_OPERATORS = (S.FINAL_REPORT_SUBMITTED, S.FINAL_REPORT_ACCEPTED, S.EVALUATED, S.RECTIFYING)
# States the organisation learns of as a decision (always at once, whatever it chose for news).
DECISIONS = (S.CLOSED, S.TERMINATED, S.RECTIFYING, S.FINAL_REPORT_ACCEPTED)


def _announce(locked: Project) -> None:
    decision = locked.status in DECISIONS
    context = {
        "project": locked,
        "organisation": locked.application.organisation,
        "state": S(locked.status).label,
    }
    kind = NotificationKind.DECISION if decision else NotificationKind.STATUS
    notify("project.changed", to=members_of(locked.application.organisation), context=context, kind=kind)
    staff = [locked.supervisor, locked.evaluator]
    if locked.status in WAITING_FOR_OPERATORS:
        staff += list(operators())
    notify("project.changed", to=staff, context=context, kind=NotificationKind.OPERATIONS)


def _step(project, name, actor, *, reason="", guard=None, apply=None, system=False, announce=None):
    """``announce(locked)`` replaces the usual "the project is now …" message when a step says more."""
    return run_transition(
        workflow=PROJECT,
        obj=project,
        name=name,
        actor=actor,
        reason=reason,
        guard=guard,
        apply=apply,
        notify=announce or _announce,
        system=system,
    )

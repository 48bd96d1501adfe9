"""Funded projects: contract, installments, implementation, supervision, reports, appraisal, evaluation.

Every change of a project's state goes through ``run_transition`` with the ``PROJECT`` workflow below
(guarded, audited, notified on commit). Other records (activities, visits, rectifications, reports,
ballots) are written by the functions here, which check the actor's role and assignment first and
validate everything before they write anything.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import hmac
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.accounts.roles import Role
from incubator.audit.services import record_event
from incubator.funding.models import Application, ApplicationStatus, Term
from incubator.notifications import notify_users
from incubator.orgs.models import Membership
from incubator.orgs.services import can_act_for, is_operator, notify_members, operators, touch
from incubator.projects.models import (
    FINISHED,
    AppraisalBallot,
    Condition,
    Evaluation,
    EvaluationScore,
    Grade,
    IndicatorValue,
    Installment,
    MidTermReview,
    ProgressReport,
    Project,
    ProjectActivity,
    ProjectStatus,
    Rectification,
    RectificationSource,
    RectificationStatus,
    ReportKind,
    SupervisionVisit,
)
from incubator.workflow import OPERATORS, Transition, TransitionError, Workflow, run_transition, user_has_role

CENT = Decimal("0.01")
S = ProjectStatus
MEMBERS = OPERATORS | {Role.ORGANISATION_MEMBER}
REVIEWERS = OPERATORS | {Role.SUPERVISOR}
APPRAISAL_ORGANISERS = OPERATORS | {Role.COMMUNITY_WORKER}
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
        Transition(
            "start_appraisal",
            (S.FINAL_REPORT_SUBMITTED,),
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
BUTTONS = ("start_mid_term", "final_report_due", "start_appraisal", "start_evaluation", "accept", "terminate")
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


def _require(user, roles, message):
    if not user_has_role(user, roles):
        raise PermissionDenied(message)


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


def _everyone(project, subject, body, *, kind="status", operators_too=True):
    """Tell the organisation, the supervisor and (optionally) the operators, after commit."""

    def send():
        notify_members(project.application.organisation, subject, body, kind=kind)
        people = [u for u in (project.supervisor,) if u]
        if operators_too:
            people += list(operators())
        if people:
            notify_users({u.pk: u for u in people}.values(), subject, body, kind="operations")

    transaction.on_commit(send)


# States in which the next step is the operators' (open the appraisal, accept the evaluation, follow up).
WAITING_FOR_OPERATORS = (S.FINAL_REPORT_SUBMITTED, S.EVALUATED, S.RECTIFYING)


def _announce(locked: Project) -> None:
    kind = "decision" if locked.status in (S.CLOSED, S.TERMINATED, S.RECTIFYING) else "status"
    subject = _("Project “%(project)s”: %(state)s") % {"project": locked, "state": locked.get_status_display()}
    body = _("The project “%(project)s” of %(organisation)s is now: %(state)s.") % {
        "project": locked,
        "organisation": locked.application.organisation,
        "state": locked.get_status_display(),
    }
    notify_members(locked.application.organisation, subject, body, kind=kind)
    people = {u.pk: u for u in (locked.supervisor, locked.evaluator) if u}
    if locked.status in WAITING_FOR_OPERATORS:
        people.update({u.pk: u for u in operators()})
    if people:
        notify_users(people.values(), subject, body, kind="operations")


def _step(project, name, actor, *, reason="", guard=None, apply=None, system=False):
    return run_transition(
        workflow=PROJECT,
        obj=project,
        name=name,
        actor=actor,
        reason=reason,
        guard=guard,
        apply=apply,
        notify=_announce,
        system=system,
    )


# --- Contract and installments --------------------------------------------------------------------------


def split_award(award: Decimal, split) -> list[tuple[Decimal, Decimal, str]]:
    """Shares of the award; the last installment takes the rounding so the total is always the award."""
    split = [(Decimal(percent), condition) for percent, condition in split if Decimal(percent) > 0]
    if sum(percent for percent, _condition in split) != 100:
        raise ValueError("installment shares must add up to 100")
    parts, given = [], Decimal("0.00")
    for index, (percent, condition) in enumerate(split):
        if index == len(split) - 1:
            amount = award - given
        else:
            amount = (award * percent / 100).quantize(CENT, rounding=ROUND_DOWN)
        given += amount
        parts.append((percent, amount, condition))
    return parts


def call_split(call) -> list[tuple[Decimal, str]]:
    return [
        (call.first_installment_percent, Condition.SIGNING),
        (call.second_installment_percent, Condition.MID_TERM),
        (call.final_installment_percent, Condition.EVALUATION),
    ]


@transaction.atomic
def create_project(*, actor, application: Application, system: bool = False) -> Project:
    """Open the project of an awarded application, with its installments as the call sets them."""
    if not system:
        _require(actor, OPERATORS, _("Only hub operators open projects."))
    locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if locked.status != ApplicationStatus.AWARDED or not locked.awarded_amount:
        raise TransitionError(_("A project is opened from an awarded application."))
    if Project.objects.filter(application=locked).exists():
        raise TransitionError(_("This application already has its project."))
    project = Project.objects.create(
        application=locked,
        award=locked.awarded_amount,
        starts_on=locked.starts_on,
        ends_on=locked.ends_on,
        final_report_due_on=add_months(locked.ends_on, 1) if locked.ends_on else None,
    )
    Installment.objects.bulk_create(
        Installment(project=project, position=index, percent=percent, amount=amount, condition=condition)
        for index, (percent, amount, condition) in enumerate(
            split_award(project.award, call_split(locked.call)), start=1
        )
    )
    record_event(
        actor=actor,
        action="project.created",
        subject=project,
        to_state=project.status,
        reason=_("Opened automatically when the award became final.") if system else "",
    )
    return project


def sign_contract(
    *,
    actor,
    project: Project,
    signed_on: datetime.date | None = None,
    signed_by_organisation: str = "",
    signed_by_hub: str = "",
) -> Project:
    """Both parties have signed: the project starts and the first installment's condition holds."""
    signed_on = signed_on or timezone.localdate()
    problems = []
    if not signed_by_organisation.strip():
        problems.append(_("Name who signed for the organisation."))
    if not signed_by_hub.strip():
        problems.append(_("Name who signed for the hub."))
    if signed_on > timezone.localdate():
        problems.append(_("The signing date cannot be in the future."))
    if problems:
        raise ValidationError(problems)

    def apply(locked):
        locked.signed_on = signed_on
        locked.signed_by_organisation = signed_by_organisation.strip()
        locked.signed_by_hub = signed_by_hub.strip()
        meet_condition(project=locked, condition=Condition.SIGNING, on=signed_on)

    return _step(project, "sign", actor, apply=apply)


def meet_condition(*, project: Project, condition: str, on: datetime.date) -> int:
    """Called by the step that satisfies a condition (signing, mid-term review, final evaluation)."""
    return Installment.objects.filter(project=project, condition=condition, condition_met_on__isnull=True).update(
        condition_met_on=on
    )


def release_installment(*, actor, installment: Installment, released_on: datetime.date | None = None) -> Installment:
    _require(actor, OPERATORS, _("Only hub operators record releases."))
    with transaction.atomic():
        # The project first (as every transition locks it), so a termination cannot slip in between.
        Project.objects.select_for_update().filter(pk=installment.project_id).first()
        locked = Installment.objects.select_for_update().select_related("project").get(pk=installment.pk)
        _release(locked, actor, released_on or timezone.localdate())
    return locked


def _release(locked: Installment, actor, released_on: datetime.date) -> None:
    if locked.released_on:
        raise TransitionError(_("Installment %(n)d was already released.") % {"n": locked.position})
    if locked.project.status == S.TERMINATED:
        raise TransitionError(_("The project was terminated; nothing more is released."))
    if not locked.condition_met_on:
        raise TransitionError(
            _("Installment %(n)d waits for its condition: %(condition)s.")
            % {"n": locked.position, "condition": locked.get_condition_display()}
        )
    if Installment.objects.filter(
        project=locked.project, position__lt=locked.position, released_on__isnull=True
    ).exists():
        raise TransitionError(_("Release the earlier installments first."))
    locked.released_on = released_on
    locked.released_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["released_on", "released_by"])
    text = _("Installment %(n)d: %(amount)s yuan") % {"n": locked.position, "amount": locked.amount}
    record_event(actor=actor, action="installment.released", subject=locked.project, reason=text)
    project = locked.project
    transaction.on_commit(
        lambda: notify_members(
            project.application.organisation,
            _("Installment released: %(project)s") % {"project": project},
            _("%(installment)s of the project “%(project)s” was released on %(date)s.")
            % {"installment": text, "project": project, "date": released_on},
            kind="decision",
        )
    )


def money_summary(project: Project) -> dict:
    installments = list(project.installments.all())
    released = sum((i.amount for i in installments if i.released_on), Decimal("0.00"))
    return {"award": project.award, "released": released, "outstanding": project.award - released}


# --- Assignments -------------------------------------------------------------------------------------------


def _assign(actor, project, *, person, agency, role, field, agency_field, label):
    project = _current(project)
    _require(actor, OPERATORS, _("Only hub operators assign supervisors and evaluators."))
    if project.status in FINISHED:
        raise TransitionError(_("The project is finished."))
    if not person.groups.filter(name=role).exists():
        raise ValidationError(_("%(person)s does not have the role “%(role)s”.") % {"person": person, "role": label})
    if Membership.objects.filter(user=person, organisation_id=project.application.organisation_id).exists():
        raise ValidationError(
            _("%(person)s acts for %(organisation)s and cannot be its %(role)s.")
            % {"person": person, "organisation": project.application.organisation, "role": label}
        )
    if (role == Role.EVALUATOR and project.supervisor_id == person.pk) or (
        role == Role.SUPERVISOR and project.evaluator_id == person.pk
    ):
        raise ValidationError(_("The third-party evaluator must be independent of the project's supervisor."))
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        setattr(locked, field, person)
        setattr(locked, agency_field, (agency or "").strip())
        locked.save(update_fields=[field, agency_field])
        record_event(actor=actor, action=f"project.{field}_assigned", subject=locked, reason=f"{person} {agency or ''}")
        transaction.on_commit(
            lambda: notify_users(
                [person],
                _("You are assigned to “%(project)s”") % {"project": locked},
                _("You are the %(role)s of the project “%(project)s” of %(organisation)s.")
                % {"role": label, "project": locked, "organisation": locked.application.organisation},
                kind="review",
            )
        )
    return locked


def assign_supervisor(*, actor, project: Project, supervisor, agency: str = "") -> Project:
    return _assign(
        actor,
        project,
        person=supervisor,
        agency=agency,
        role=Role.SUPERVISOR,
        field="supervisor",
        agency_field="supervision_agency",
        label=Role.SUPERVISOR.label,
    )


def assign_evaluator(*, actor, project: Project, evaluator, agency: str = "") -> Project:
    return _assign(
        actor,
        project,
        person=evaluator,
        agency=agency,
        role=Role.EVALUATOR,
        field="evaluator",
        agency_field="evaluation_agency",
        label=Role.EVALUATOR.label,
    )


# --- Implementation: activities and indicator reports ---------------------------------------------------


def _count(value, label) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError(_("%(field)s must be a whole number.") % {"field": label}) from None
    if number < 0:
        raise ValidationError(_("%(field)s cannot be negative.") % {"field": label})
    return number


def record_activity(
    *,
    actor,
    project: Project,
    held_on: datetime.date,
    title: str,
    description: str = "",
    participants=0,
    beneficiaries=0,
) -> ProjectActivity:
    project = _current(project)
    _require_member(actor, project)
    if project.status not in IMPLEMENTING:
        raise TransitionError(_("Activities are logged while the project is being implemented."))
    problems = []
    if not (title or "").strip():
        problems.append(_("Give the activity a title."))
    if not held_on:
        problems.append(_("Give the date of the activity."))
    elif held_on > timezone.localdate():
        problems.append(_("An activity cannot be logged before it happens."))
    elif project.starts_on and held_on < project.starts_on:
        problems.append(_("The activity is dated before the project started (%(date)s).") % {"date": project.starts_on})
    try:
        participants = _count(participants, _("Participants"))
        beneficiaries = _count(beneficiaries, _("New beneficiaries"))
    except ValidationError as exc:
        problems.extend(exc.messages)
    if problems:
        raise ValidationError(problems)
    activity = ProjectActivity.objects.create(
        project=project,
        held_on=held_on,
        title=title.strip(),
        description=(description or "").strip(),
        participants=participants,
        beneficiaries=beneficiaries,
        recorded_by=actor,
    )
    touch(project.application.organisation)
    return activity


def _parse_values(project, values: dict) -> tuple[dict, list[str]]:
    """``values`` maps objective id to (actual, note). Every objective needs a number, zero or more."""
    parsed, problems = {}, []
    for objective in project.application.objectives.all():
        raw, note = (values.get(objective.pk) or ("", ""))[:2] if objective.pk in values else ("", "")
        try:
            actual = Decimal(str(raw).strip())
            if not actual.is_finite() or actual < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append(
                _("Give the value reached for “%(indicator)s” (a number, zero or more).")
                % {"indicator": objective.indicator}
            )
            continue
        parsed[objective.pk] = (actual, (note or "").strip()[:300])
    return parsed, problems


REPORT_STATES = {
    ReportKind.PERIODIC: IMPLEMENTING,
    ReportKind.MID_TERM: (S.ACTIVE, S.MID_TERM_REVIEW, S.FINAL_REPORT_DUE),
    ReportKind.FINAL: (S.ACTIVE, S.FINAL_REPORT_DUE),
}


def _check_report_state(project: Project, kind: str) -> None:
    if project.status not in REPORT_STATES[kind]:
        raise TransitionError(
            _("A %(kind)s cannot be submitted while the project is “%(state)s”.")
            % {"kind": ReportKind(kind).label, "state": project.get_status_display()}
        )


def submit_report(
    *,
    actor,
    project: Project,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    summary: str,
    values: dict,
) -> ProgressReport:
    """A report on one period: what each indicator reached. The final report also moves the project on."""
    project = _current(project)
    _require_member(actor, project)
    if kind not in ReportKind.values:
        raise ValidationError(_("Choose the kind of report."))
    _check_report_state(project, kind)
    problems = []
    if not period_start or not period_end:
        problems.append(_("Give the period the report covers."))
    elif period_end < period_start:
        problems.append(_("The period ends before it starts."))
    elif period_end > timezone.localdate():
        problems.append(_("The period cannot end in the future."))
    if not (summary or "").strip():
        problems.append(_("Summarise what was done in the period."))
    parsed, value_problems = _parse_values(project, values)
    problems += value_problems
    if kind == ReportKind.FINAL:
        problems += final_report_problems(project)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        # Locked and checked again: two submissions at once would otherwise both pass the checks above.
        locked = Project.objects.select_for_update().get(pk=project.pk)
        _check_report_state(locked, kind)
        if kind == ReportKind.FINAL and (late := final_report_problems(locked)):
            raise ValidationError(late)
        report = ProgressReport.objects.create(
            project=project,
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            summary=summary.strip(),
            submitted_by=actor,
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(report=report, objective_id=pk, actual=actual, note=note)
            for pk, (actual, note) in parsed.items()
        )
        record_event(actor=actor, action=f"report.{kind}", subject=project, reason=str(report))
        if kind == ReportKind.FINAL:
            _step(project, "submit_final_report", actor, apply=lambda p: setattr(p, "final_report_overdue", False))
        else:
            _everyone(
                project,
                _("New report: %(project)s") % {"project": project},
                _("%(organisation)s submitted a %(kind)s for %(start)s to %(end)s.")
                % {
                    "organisation": project.application.organisation,
                    "kind": ReportKind(kind).label,
                    "start": period_start,
                    "end": period_end,
                },
                kind="operations",
            )
    touch(project.application.organisation)
    return report


def final_report_problems(project: Project) -> list[str]:
    problems = []
    if not project.mid_term_accepted_on:
        problems.append(_("The mid-term review has not been accepted yet."))
    if project.rectifications.exclude(status=RectificationStatus.ACCEPTED).exists():
        problems.append(_("Open rectifications must be accepted first."))
    if ProgressReport.objects.filter(project=project, kind=ReportKind.FINAL).exists():
        problems.append(_("The final report has already been submitted."))
    return problems


def progress(project: Project) -> list[dict]:
    """Per objective: target, the value of each reported period and the running total. Two queries."""
    terms = list(Term.values)
    objectives = sorted(project.application.objectives.all(), key=lambda o: (terms.index(o.term), o.pk))
    reports = list(project.reports.all())
    values = {}
    for value in IndicatorValue.objects.filter(report__project=project):
        values[(value.objective_id, value.report_id)] = value.actual
    rows = []
    for objective in objectives:
        cumulative, periods = Decimal("0"), []
        for report in reports:
            actual = values.get((objective.pk, report.pk))
            if actual is None:
                continue
            cumulative += actual
            periods.append({"report": report, "actual": actual, "cumulative": cumulative})
        percent = (cumulative / objective.target * 100).quantize(Decimal("1")) if objective.target else None
        rows.append({"objective": objective, "periods": periods, "cumulative": cumulative, "percent": percent})
    return rows


def beneficiaries_reached(project: Project) -> int:
    from django.db.models import Sum

    return project.activities.aggregate(total=Sum("beneficiaries"))["total"] or 0


def publish_progress(*, actor, project: Project, published: bool = True) -> Project:
    _require(actor, OPERATORS, _("Only hub operators publish a project's progress."))
    Project.objects.filter(pk=project.pk).update(progress_published=published)
    record_event(
        actor=actor, action="project.progress_published" if published else "project.progress_hidden", subject=project
    )
    project.refresh_from_db()
    return project


# --- Supervision and rectification -------------------------------------------------------------------------


def record_visit(
    *,
    actor,
    project: Project,
    visited_on: datetime.date,
    findings: str,
    recommendations: str = "",
    rectification: str = "",
    rectify_by: datetime.date | None = None,
) -> SupervisionVisit:
    """A supervisor's visit; with ``rectification`` it also requires one, by ``rectify_by``."""
    project = _current(project)
    _require_supervisor(actor, project)
    problems = []
    if project.status in FINISHED or project.status == S.CONTRACTING:
        problems.append(_("Visits are recorded while the project runs."))
    if not visited_on:
        problems.append(_("Give the date of the visit."))
    elif visited_on > timezone.localdate():
        problems.append(_("A visit cannot be recorded before it happens."))
    if not (findings or "").strip():
        problems.append(_("Write down what the visit found."))
    if (rectification or "").strip():
        problems += _rectification_problems(project, rectification, rectify_by)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        visit = SupervisionVisit.objects.create(
            project=project,
            supervisor=actor,
            visited_on=visited_on,
            findings=findings.strip(),
            recommendations=(recommendations or "").strip(),
        )
        record_event(actor=actor, action="supervision.visit", subject=project, reason=findings.strip()[:200])
        if (rectification or "").strip():
            require_rectification(
                actor=actor,
                project=project,
                requirement=rectification,
                due_on=rectify_by,
                source=RectificationSource.SUPERVISION,
                visit=visit,
            )
        else:
            _everyone(
                project,
                _("Supervision visit: %(project)s") % {"project": project},
                _("Findings of the visit on %(date)s: %(findings)s")
                % {"date": visited_on, "findings": findings.strip()},
            )
    return visit


def _rectification_problems(project, requirement, due_on) -> list[str]:
    problems = []
    if not (requirement or "").strip():
        problems.append(_("Say what must be rectified."))
    if not due_on:
        problems.append(_("Give the rectification a deadline."))
    elif due_on <= timezone.localdate():
        problems.append(_("The rectification deadline must be after today."))
    if project.status not in RECTIFIABLE and project.status != S.RECTIFYING:
        problems.append(
            _("Rectification cannot be required while the project is “%(state)s”.")
            % {"state": project.get_status_display()}
        )
    return problems


def require_rectification(
    *, actor, project: Project, requirement: str, due_on: datetime.date, source: str, visit=None
) -> Rectification:
    project = _current(project)
    if source == RectificationSource.EVALUATION:
        _require_evaluator(actor, project)
    else:
        _require_supervisor(actor, project)
    problems = _rectification_problems(project, requirement, due_on)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        rectification = Rectification.objects.create(
            project=project,
            source=source,
            visit=visit,
            requirement=requirement.strip(),
            due_on=due_on,
            required_by=actor,
        )
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != S.RECTIFYING:
            previous = locked.status

            def apply(p):
                p.resume_status = previous

            _step(locked, "rectify", actor, reason=requirement.strip(), apply=apply)
        else:
            record_event(actor=actor, action="project.rectify", subject=locked, reason=requirement.strip())
        _everyone(
            project,
            _("Rectification required: %(project)s") % {"project": project},
            _("By %(date)s: %(requirement)s") % {"date": due_on, "requirement": requirement.strip()},
            kind="decision",
        )
    return rectification


def answer_rectification(*, actor, rectification: Rectification, answer: str) -> Rectification:
    _require_member(actor, rectification.project)
    if not (answer or "").strip():
        raise ValidationError(_("Say what was done to rectify."))
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().select_related("project").get(pk=rectification.pk)
        if locked.status != RectificationStatus.OPEN:
            raise TransitionError(_("This rectification is not waiting for an answer."))
        if locked.project.status in FINISHED:
            raise TransitionError(_("The project is finished; its rectifications are no longer answered."))
        locked.status = RectificationStatus.ANSWERED
        locked.answer = answer.strip()
        locked.answered_at = timezone.now()
        locked.save()
        record_event(
            actor=actor, action="rectification.answered", subject=locked.project, from_state="open", to_state="answered"
        )
        _everyone(
            locked.project,
            _("Rectification answered: %(project)s") % {"project": locked.project},
            answer.strip(),
            kind="operations",
        )
    return locked


def review_rectification(*, actor, rectification: Rectification, accept: bool, comment: str = "") -> Rectification:
    """Accept the answer, or send it back; the last acceptance resumes the project where it was."""
    project = rectification.project
    if rectification.source == RectificationSource.EVALUATION and not is_operator(actor):
        _require_evaluator(actor, project)
    else:
        _require_supervisor(actor, project)
    if not accept and not (comment or "").strip():
        raise ValidationError(_("Say why the answer is not enough."))
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if locked.status != RectificationStatus.ANSWERED:
            raise TransitionError(_("Only an answered rectification can be reviewed."))
        locked.status = RectificationStatus.ACCEPTED if accept else RectificationStatus.OPEN
        locked.accepted_at = timezone.now() if accept else None
        locked.save()
        record_event(
            actor=actor,
            action="rectification.accepted" if accept else "rectification.returned",
            subject=project,
            from_state="answered",
            to_state=locked.status,
            reason=comment,
        )
        remaining = Rectification.objects.filter(project=project).exclude(status=RectificationStatus.ACCEPTED)
        current = Project.objects.select_for_update().get(pk=project.pk)
        if accept and current.status == S.RECTIFYING and not remaining.exists():
            _step(current, RESUME.get(current.resume_status, "resume_active"), actor, reason=comment)
        elif not accept:
            _everyone(
                project,
                _("Rectification returned: %(project)s") % {"project": project},
                comment.strip(),
                kind="decision",
                operators_too=False,
            )
    return locked


def flag_overdue_rectifications(*, today: datetime.date | None = None) -> int:
    """Daily: rectifications past their deadline without an answer are flagged and everyone is told."""
    today = today or timezone.localdate()
    flagged = 0
    overdue = (
        Rectification.objects.filter(status=RectificationStatus.OPEN, due_on__lt=today, overdue_since__isnull=True)
        .exclude(project__status__in=FINISHED)
        .select_related("project__application__organisation", "project__supervisor")
    )
    for rectification in overdue:
        with transaction.atomic():
            if not Rectification.objects.filter(pk=rectification.pk, overdue_since__isnull=True).update(
                overdue_since=today
            ):
                continue  # another run got there first
            record_event(actor=None, action="rectification.overdue", subject=rectification.project)
            _everyone(
                rectification.project,
                _("Rectification overdue: %(project)s") % {"project": rectification.project},
                _("The rectification due on %(date)s has not been answered: %(requirement)s")
                % {"date": rectification.due_on, "requirement": rectification.requirement},
                kind="reminder",
            )
        flagged += 1
    return flagged


# --- Mid-term review ------------------------------------------------------------------------------------


def start_mid_term_review(*, actor, project: Project) -> Project:
    project = _current(project)
    _require_supervisor(actor, project)

    def guard(locked):
        if locked.mid_term_accepted_on:
            raise TransitionError(
                _("The mid-term review was already accepted on %(date)s.") % {"date": locked.mid_term_accepted_on}
            )

    return _step(project, "start_mid_term", actor, guard=guard)


def record_mid_term_review(
    *,
    actor,
    project: Project,
    opinion: str,
    accepted: bool,
    rectification: str = "",
    rectify_by: datetime.date | None = None,
) -> MidTermReview:
    """Accepted: the second installment's condition holds. Not accepted: rectification first."""
    project = _current(project)
    _require_supervisor(actor, project)
    problems = []
    if not (opinion or "").strip():
        problems.append(_("Write the review's opinion."))
    if project.status != S.MID_TERM_REVIEW:
        problems.append(_("The project is not in its mid-term review."))
    if not accepted:
        problems += _rectification_problems(project, rectification, rectify_by)
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    with transaction.atomic():
        review = MidTermReview.objects.create(
            project=project, reviewer=actor, opinion=opinion.strip(), accepted=accepted
        )
        if accepted:
            today = timezone.localdate()

            def apply(locked):
                locked.mid_term_accepted_on = today
                meet_condition(project=locked, condition=Condition.MID_TERM, on=today)

            # After the project's end the next step is the final report, not more implementation.
            ended = project.ends_on is not None and project.ends_on < today
            name = "accept_mid_term_after_end" if ended else "accept_mid_term"
            _step(project, name, actor, reason=opinion.strip(), apply=apply)
        else:
            require_rectification(
                actor=actor,
                project=project,
                requirement=rectification,
                due_on=rectify_by,
                source=RectificationSource.MID_TERM,
            )
    return review


# --- Final report, reminders ----------------------------------------------------------------------------


def ask_for_final_report(*, actor, project: Project) -> Project:
    return _step(project, "final_report_due", actor)


def final_report_reminders(*, today: datetime.date | None = None) -> dict:
    """Daily: projects past their end ask for the final report; reminders 14, 7 and 1 days before it is
    due, an overdue flag after. Idempotent: each reminder has a key, so nothing is sent twice."""
    from incubator.filings.models import Reminder

    today = today or timezone.localdate()
    moved = reminded = overdue = 0
    for project in Project.objects.filter(status=S.ACTIVE, ends_on__lt=today):
        _step(
            project,
            "final_report_due",
            None,
            system=True,
            reason=_("The project ended on %(date)s.") % {"date": project.ends_on},
        )
        moved += 1
    waiting = Project.objects.filter(status__in=IMPLEMENTING, final_report_due_on__isnull=False).select_related(
        "application__organisation"
    )
    for project in waiting:
        days_left = (project.final_report_due_on - today).days
        if days_left < 0:
            key = f"final-report-{project.pk}-overdue"
            text = _("The final report of “%(project)s” was due on %(date)s and is overdue.")
            if not project.final_report_overdue:
                Project.objects.filter(pk=project.pk).update(final_report_overdue=True)
                record_event(actor=None, action="project.final_report_overdue", subject=project)
                overdue += 1
        elif days_left <= max(REMIND_DAYS_BEFORE):
            # The nearest threshold at or above the days left: a job that missed a day still reminds once.
            threshold = min(d for d in REMIND_DAYS_BEFORE if d >= days_left)
            key = f"final-report-{project.pk}-{threshold}"
            text = _("The final report of “%(project)s” is due on %(date)s.")
        else:
            continue
        message = text % {"project": project, "date": project.final_report_due_on.isoformat()}
        _reminder, created = Reminder.objects.get_or_create(
            organisation=project.application.organisation,
            key=key,
            defaults={"message": message, "due_on": project.final_report_due_on},
        )
        if created:
            organisation = project.application.organisation
            transaction.on_commit(
                lambda o=organisation, m=message: notify_members(o, _("Reminder: final report"), m, kind="reminder")
            )
            if days_left < 0:
                transaction.on_commit(
                    lambda m=message: notify_users(operators(), _("Final report overdue"), m, kind="operations")
                )
            reminded += 1
    return {"moved_to_final_report": moved, "reminders": reminded, "newly_overdue": overdue}


# --- Residents' appraisal (民事民评) ------------------------------------------------------------------------


def start_appraisal(*, actor, project: Project) -> Project:
    return _step(project, "start_appraisal", actor)


APPRAISAL_PER_ADDRESS_PER_HOUR = 20
# Past this many answers an hour from one address (a household, a community centre's Wi-Fi), each further
# answer needs the form's check question (incubator/projects/public_views.py).
APPRAISAL_FREE_PER_ADDRESS = 3


def _keyed_hash(kind: str, value: str) -> str:
    from django.db import connection

    # Keyed by the hub too: the same phone in two hubs gives unrelated hashes.
    key = f"{settings.SECRET_KEY}:{connection.schema_name}:{kind}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalise_phone(raw: str) -> str:
    digits = "".join(ch for ch in (raw or "") if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def _appraisal_rate_key(project: Project, address: str) -> str:
    return f"appraisal-rate:{project.pk}:{_keyed_hash('address', address or '')}"


def appraisal_needs_challenge(*, project: Project, address: str) -> bool:
    from django.core.cache import cache

    return (cache.get(_appraisal_rate_key(project, address)) or 0) >= APPRAISAL_FREE_PER_ADDRESS


def cast_ballot(
    *,
    project: Project,
    device_id: str,
    address: str,
    satisfaction,
    usefulness,
    took_part: bool,
    phone: str = "",
    comment: str = "",
) -> AppraisalBallot:
    """One resident's answer; no account. One per device and per phone; addresses are rate-limited."""
    from django.core.cache import cache

    project = _current(project)
    if project.status != S.APPRAISAL:
        raise TransitionError(_("The residents' appraisal of this project is not open."))
    problems = []
    scores = {}
    for name, value, label in (
        ("satisfaction", satisfaction, _("overall satisfaction")),
        ("usefulness", usefulness, _("how useful the activities were")),
    ):
        try:
            scores[name] = int(value)
            if not 1 <= scores[name] <= 5:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(_("Choose from 1 to 5 for %(question)s.") % {"question": label})
    phone_digits = normalise_phone(phone)
    if phone and not (len(phone_digits) == 11 and phone_digits.startswith("1")):
        problems.append(_("The phone number should be an 11-digit mobile number, or left empty."))
    if not device_id:
        problems.append(_("Your browser did not keep the form's cookie; please allow cookies and try again."))
    if len(comment or "") > 1000:
        problems.append(_("The comment is too long (1,000 characters at most)."))
    if problems:
        raise ValidationError(problems)
    address_hash = _keyed_hash("address", address or "")
    rate_key = _appraisal_rate_key(project, address)
    cache.add(rate_key, 0, timeout=3600)
    if cache.incr(rate_key) > APPRAISAL_PER_ADDRESS_PER_HOUR:
        raise ValidationError(_("Too many answers from your network in the last hour; please try again later."))
    device_hash = _keyed_hash("device", device_id)
    phone_hash = _keyed_hash("phone", phone_digits) if phone_digits else ""
    duplicate = AppraisalBallot.objects.filter(project=project, device_hash=device_hash)
    if phone_hash:
        duplicate = duplicate | AppraisalBallot.objects.filter(project=project, phone_hash=phone_hash)
    if duplicate.exists():
        raise ValidationError(_("An answer from this device or phone number has already been counted. Thank you!"))
    try:
        with transaction.atomic():
            return AppraisalBallot.objects.create(
                project=project,
                satisfaction=scores["satisfaction"],
                usefulness=scores["usefulness"],
                took_part=bool(took_part),
                comment=(comment or "").strip(),
                device_hash=device_hash,
                phone_hash=phone_hash,
                address_hash=address_hash,
            )
    except IntegrityError:  # two submissions raced past the check above
        raise ValidationError(
            _("An answer from this device or phone number has already been counted. Thank you!")
        ) from None


def appraisal_results(project: Project) -> dict:
    from django.db.models import Avg, Count, Q

    # Aliases must differ from the field names, or the filters below would refer to the aggregates.
    figures = project.ballots.aggregate(
        answers=Count("id"),
        avg_satisfaction=Avg("satisfaction"),
        avg_usefulness=Avg("usefulness"),
        took_part_count=Count("id", filter=Q(took_part=True)),
        satisfied=Count("id", filter=Q(satisfaction__gte=4)),
    )
    answers = figures["answers"]
    return {
        "answers": answers,
        "satisfaction": _money(figures["avg_satisfaction"]) if answers else None,
        "usefulness": _money(figures["avg_usefulness"]) if answers else None,
        "took_part": figures["took_part_count"],
        "satisfied_percent": round(figures["satisfied"] * 100 / answers) if answers else None,
        "distribution": [project.ballots.filter(satisfaction=level).count() for level in range(1, 6)]
        if answers
        else [0] * 5,
    }


def publish_appraisal(*, actor, project: Project) -> Project:
    """Publish the aggregated answers on the hub's notice board (never the individual answers)."""
    _require(actor, APPRAISAL_ORGANISERS, _("Only hub operators and community workers publish appraisal results."))
    project = _current(project)
    if project.status in (S.CONTRACTING, S.ACTIVE, S.MID_TERM_REVIEW, S.RECTIFYING, S.FINAL_REPORT_DUE):
        raise TransitionError(_("Appraisal results are published once the appraisal has taken place."))
    if not project.ballots.exists():
        raise TransitionError(_("No resident has answered yet; there is nothing to publish."))
    Project.objects.filter(pk=project.pk).update(appraisal_published_at=timezone.now())
    record_event(actor=actor, action="project.appraisal_published", subject=project)
    project.refresh_from_db()
    return project


# --- Third-party evaluation ---------------------------------------------------------------------------------


def start_evaluation(*, actor, project: Project) -> Project:
    def guard(locked):
        if not locked.evaluator_id:
            raise TransitionError(_("Assign a third-party evaluator first."))

    return _step(project, "start_evaluation", actor, guard=guard)


def submit_evaluation(
    *,
    actor,
    project: Project,
    grade: str,
    scores: dict,
    findings: str,
    recommendations: str,
    rectify_by: datetime.date | None = None,
) -> Evaluation:
    """``scores`` maps objective id to (value verified, score 0-10, comment).

    优秀 makes the project a brand project; 不合格 sends it back to rectification (by ``rectify_by``);
    otherwise it waits for the operator's acceptance, which releases the last installment.
    """
    project = _current(project)
    _require_evaluator(actor, project)
    problems = []
    if project.status != S.EVALUATING:
        problems.append(_("The project is not being evaluated."))
    if grade not in Grade.values:
        problems.append(_("Choose a grade."))
    if not (findings or "").strip():
        problems.append(_("Write the evaluation's findings."))
    if not (recommendations or "").strip():
        problems.append(_("Write your recommendations."))
    parsed = {}
    for objective in project.application.objectives.all():
        row = scores.get(objective.pk)
        try:
            achieved, score = Decimal(str(row[0]).strip()), Decimal(str(row[1]).strip())
            if not (achieved.is_finite() and score.is_finite()) or achieved < 0 or not 0 <= score <= 10:
                raise InvalidOperation
        except (InvalidOperation, TypeError, IndexError, ValueError):
            problems.append(
                _("For “%(indicator)s”, give the value verified and a score from 0 to 10.")
                % {"indicator": objective.indicator}
            )
            continue
        parsed[objective.pk] = (achieved, score, (row[2] if len(row) > 2 else "") or "")
    if grade == Grade.FAIL:
        if not rectify_by:
            problems.append(_("A failing grade needs a rectification deadline."))
        elif rectify_by <= timezone.localdate():
            problems.append(_("The rectification deadline must be after today."))
    if problems:
        raise ValidationError(problems)
    overall = _money(sum(score for _a, score, _c in parsed.values()) * 10 / len(parsed)) if parsed else Decimal("0")
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            project=project,
            evaluator=actor,
            grade=grade,
            score=overall,
            findings=findings.strip(),
            recommendations=recommendations.strip(),
        )
        EvaluationScore.objects.bulk_create(
            EvaluationScore(evaluation=evaluation, objective_id=pk, achieved=a, score=s, comment=c.strip())
            for pk, (a, s, c) in parsed.items()
        )
        if grade == Grade.FAIL:
            Project.objects.filter(pk=project.pk).update(grade=grade)
            require_rectification(
                actor=actor,
                project=project,
                requirement=recommendations,
                due_on=rectify_by,
                source=RectificationSource.EVALUATION,
            )
        else:

            def apply(locked):
                locked.grade = grade
                locked.is_brand = grade == Grade.EXCELLENT

            _step(project, "evaluate", actor, reason=Grade(grade).label, apply=apply)
    return evaluation


def accept_project(*, actor, project: Project) -> Project:
    """The operator accepts the evaluation: the last installment (尾款) is released and the project closes."""
    today = timezone.localdate()

    def guard(locked):
        if locked.grade == Grade.FAIL or not locked.grade:
            raise TransitionError(_("Only a project that passed its evaluation can be accepted."))
        waiting = locked.installments.filter(
            condition__in=[Condition.SIGNING, Condition.MID_TERM], released_on__isnull=True
        )
        if waiting.exists():
            raise TransitionError(_("Release the earlier installments first."))

    def apply(locked):
        locked.closed_on = today
        meet_condition(project=locked, condition=Condition.EVALUATION, on=today)
        for installment in (
            Installment.objects.select_for_update()
            .filter(project=locked, condition=Condition.EVALUATION, released_on__isnull=True)
            .select_related("project")
        ):
            _release(installment, actor, today)

    return _step(project, "accept", actor, guard=guard, apply=apply)


def terminate_project(*, actor, project: Project, reason: str) -> Project:
    """Stop a project; what was released stays recorded, nothing more is released."""

    def apply(locked):
        locked.termination_reason = reason.strip()
        locked.closed_on = timezone.localdate()

    return _step(project, "terminate", actor, reason=reason, apply=apply)


def take_step(*, actor, project: Project, name: str, reason: str = "") -> Project:
    """The buttons on a project's page, by name; each runs its own service."""
    steps = {
        "start_mid_term": lambda: start_mid_term_review(actor=actor, project=project),
        "final_report_due": lambda: ask_for_final_report(actor=actor, project=project),
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

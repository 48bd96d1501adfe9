"""Supervision visits and rectification (督导与整改), the mid-term review (中期评估), the final report and its
reminders.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.audit.actions import declare_states
from incubator.audit.services import record_event
from incubator.notifications.services import notify
from incubator.orgs.reminders import OVERDUE, remind, rung
from incubator.permissions import is_operator, operators
from incubator.projects.models import (
    FINISHED,
    Condition,
    MidTermReview,
    Project,
    Rectification,
    RectificationSource,
    RectificationStatus,
    SupervisionVisit,
)
from incubator.projects.services.contract import meet_condition
from incubator.projects.services.lifecycle import (
    IMPLEMENTING,
    RECTIFIABLE,
    REMIND_DAYS_BEFORE,
    RESUME,
    S,
    _current,
    _everyone,
    _require_evaluator,
    _require_member,
    _require_supervisor,
    _step,
)
from incubator.workflow import TransitionError

declare_states("rectification", RectificationStatus.choices)

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
            _everyone(project, "visit.recorded", {"date": visited_on, "findings": findings.strip()})
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
        _everyone(project, "rectification.required", {"date": due_on, "requirement": requirement.strip()})
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
        _everyone(locked.project, "rectification.answered", {"answer": answer.strip()})
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
        if not accept:
            locked.return_comment, locked.returned_at = comment.strip(), timezone.now()
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
            _everyone(project, "rectification.returned", {"comment": comment.strip()}, operators_too=False)
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
                "rectification.overdue",
                {"date": rectification.due_on, "requirement": rectification.requirement},
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
        step = rung(due_on=project.final_report_due_on, today=today, days_before=REMIND_DAYS_BEFORE)
        if step is None:
            continue
        if step == OVERDUE and not project.final_report_overdue:
            with transaction.atomic():
                Project.objects.filter(pk=project.pk).update(final_report_overdue=True)
                record_event(actor=None, action="project.final_report_overdue", subject=project)
            overdue += 1
        context = {"project": project, "date": project.final_report_due_on.isoformat(), "overdue": step == OVERDUE}
        if remind(
            organisation=project.application.organisation,
            key=f"final-report-{project.pk}-{step}",
            event="final_report.due",
            context=context,
            due_on=project.final_report_due_on,
        ):
            if step == OVERDUE:
                notify("final_report.overdue", to=operators(), context=context)
            reminded += 1
    return {"moved_to_final_report": moved, "reminders": reminded, "newly_overdue": overdue}

"""Third-party evaluation (第三方评估), acceptance (结项) and termination."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.projects.models import (
    Condition,
    Evaluation,
    EvaluationScore,
    Grade,
    Installment,
    Project,
    RectificationSource,
)
from incubator.projects.services.contract import _release, meet_condition
from incubator.projects.services.lifecycle import S, _current, _money, _require_evaluator, _step
from incubator.projects.services.supervision import require_rectification
from incubator.workflow import TransitionError

# --- Third-party evaluation ---------------------------------------------------------------------------------

# The usual bands of a performance evaluation (绩效评价): 优秀 90 and above, 良好 80 to 89.99, 合格 60 to 79.99,
# 不合格 below 60. An evaluator may grade otherwise, but then says why.
GRADE_BANDS = ((Decimal("90"), Grade.EXCELLENT), (Decimal("80"), Grade.GOOD), (Decimal("60"), Grade.PASS))


def grade_for(score: Decimal) -> str:
    """The grade whose band holds ``score`` (0-100)."""
    return next((grade for floor, grade in GRADE_BANDS if score >= floor), Grade.FAIL)


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
    grade_reason: str = "",
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
    overall = _money(sum(score for _a, score, _c in parsed.values()) * 10 / len(parsed)) if parsed else Decimal("0")
    grade_reason = (grade_reason or "").strip()
    errors = {NON_FIELD_ERRORS: problems} if problems else {}
    if grade in Grade.values and parsed and grade != (expected := grade_for(overall)) and not grade_reason:
        errors["grade_reason"] = [
            _(
                "The scores come to %(score)s, which is graded “%(expected)s”: say why you grade the project "
                "“%(grade)s”, or correct the grade."
            )
            % {"score": overall, "expected": Grade(expected).label, "grade": Grade(grade).label}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            project=project,
            evaluator=actor,
            grade=grade,
            score=overall,
            findings=findings.strip(),
            recommendations=recommendations.strip(),
            grade_reason=grade_reason if grade != grade_for(overall) else "",
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

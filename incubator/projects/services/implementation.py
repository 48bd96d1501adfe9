"""Implementation: activities held and indicator reports (项目执行与进度报告)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import showcase
from incubator.audit.services import record_event
from incubator.funding.models import Accumulation, Term
from incubator.orgs.services import touch
from incubator.permissions import OPERATORS
from incubator.projects.models import (
    IndicatorValue,
    ProgressReport,
    Project,
    ProjectActivity,
    RectificationStatus,
    ReportKind,
)
from incubator.projects.services.final_account import approved_budget, parse_spending, write_statement
from incubator.projects.services.lifecycle import IMPLEMENTING, S, _current, _everyone, _require, _require_member, _step
from incubator.workflow import TransitionError

# --- Implementation: activities and indicator reports ---------------------------------------------------


def _count(value, label) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError(_("%(field)s must be a whole number.") % {"field": label}) from None
    if number < 0:
        raise ValidationError(_("%(field)s cannot be negative.") % {"field": label})
    return number


def activity_problems(project, *, held_on, title, participants, beneficiaries) -> tuple[dict, int, int]:
    """What is wrong with an activity as typed (for logging it and for correcting it), by field, and its counts."""
    problems, by_field = [], {}
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
    else:
        if beneficiaries > participants:
            by_field["beneficiaries"] = [
                _("New beneficiaries (%(new)s) cannot be more than the participants (%(participants)s).")
                % {"new": beneficiaries, "participants": participants}
            ]
    if problems:
        by_field[NON_FIELD_ERRORS] = problems
    return by_field, participants, beneficiaries


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
    problems, participants, beneficiaries = activity_problems(
        project, held_on=held_on, title=title, participants=participants, beneficiaries=beneficiaries
    )
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
    showcase.changed()  # beneficiaries reached count on the home page and the project's public pages
    touch(project.application.organisation)
    return activity


def _parse_values(project, values: dict) -> tuple[dict, list[str]]:
    """``values`` maps objective id to (actual, note). A count needs a number every period, zero or more; a
    level, a rate or a cumulative figure may stay empty in a period that did not measure it."""
    parsed, problems = {}, []
    for objective in project.application.objectives.all():
        raw, note = (values.get(objective.pk) or ("", ""))[:2] if objective.pk in values else ("", "")
        if objective.accumulation != Accumulation.SUM and str(raw if raw is not None else "").strip() == "":
            continue
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
    spending: dict | None = None,
) -> ProgressReport:
    """A report on one period: what each indicator reached. The final report also moves the project on, and
    carries the financial statement (决算): ``spending`` maps each budget line's id to (actual, note), see
    ``final_account.parse_spending``; its refusals name their inputs (``spending_<id>``, ``spending_note_<id>``)."""
    project = _current(project)
    _require_member(actor, project)
    if kind not in ReportKind.values:
        raise ValidationError(_("Choose the kind of report."))
    _check_report_state(project, kind)
    problems = report_problems(period_start, period_end, summary)
    parsed, value_problems = _parse_values(project, values)
    problems += value_problems
    statement, spending_errors = [], {}
    if kind == ReportKind.FINAL:
        problems += final_report_problems(project)
        statement, spending_errors = parse_spending(approved_budget(project), spending)
    if not problems:
        problems += _period_problems(project, period_start, period_end, parsed)
    if spending_errors:
        raise ValidationError({NON_FIELD_ERRORS: problems, **spending_errors} if problems else spending_errors)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        # Locked and checked again: two submissions at once would otherwise both pass the checks above.
        locked = Project.objects.select_for_update().get(pk=project.pk)
        _check_report_state(locked, kind)
        if kind == ReportKind.FINAL and (late := final_report_problems(locked)):
            raise ValidationError(late)
        if clash := _period_problems(locked, period_start, period_end, parsed):
            raise ValidationError(clash)
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
        write_statement(report, statement)
        record_event(actor=actor, action=f"report.{kind}", subject=project, reason=str(report))
        showcase.changed()  # the indicators' progress, on the public progress page
        if kind == ReportKind.FINAL:
            _step(project, "submit_final_report", actor, apply=lambda p: setattr(p, "final_report_overdue", False))
        else:
            _everyone(
                project,
                "report.submitted",
                {
                    "organisation": project.application.organisation,
                    "kind": ReportKind(kind).label,
                    "start": period_start,
                    "end": period_end,
                },
            )
    touch(project.application.organisation)
    return report


def report_problems(period_start, period_end, summary) -> list[str]:
    """What is wrong with a report's period and summary as typed (for submitting it and for correcting it)."""
    problems = []
    if not period_start or not period_end:
        problems.append(_("Give the period the report covers."))
    elif period_end < period_start:
        problems.append(_("The period ends before it starts."))
    elif period_end > timezone.localdate():
        problems.append(_("The period cannot end in the future."))
    if not (summary or "").strip():
        problems.append(_("Summarise what was done in the period."))
    return problems


def _period_problems(
    project: Project, start: datetime.date, end: datetime.date, parsed: dict, *, exclude: int | None = None
) -> list[str]:
    """A period already reported is never counted twice, and a cumulative figure never falls. A returned final
    report no longer counts: its corrected version covers the same period."""
    problems = []
    reports = project.reports.filter(period_start__lte=end, period_end__gte=start, returned_at__isnull=True)
    for clash in reports.exclude(pk=exclude) if exclude else reports:
        problems.append(
            _(
                "The period overlaps the %(kind)s for %(start)s to %(end)s: each day of the project is reported "
                "once. Start after %(end)s or correct that report."
            )
            % {"kind": clash.get_kind_display(), "start": clash.period_start, "end": clash.period_end}
        )
    if problems:
        return problems
    earlier = (
        IndicatorValue.objects.filter(
            report__project=project,
            report__returned_at__isnull=True,
            report__period_end__lt=start,
            objective__accumulation=Accumulation.CUMULATIVE,
            objective_id__in=list(parsed),
        )
        .select_related("objective")
        .order_by("objective_id", "-report__period_end")
    )
    latest = {}
    for value in earlier:
        latest.setdefault(value.objective_id, value)
    for pk, value in latest.items():
        if parsed[pk][0] < value.actual:
            problems.append(
                _(
                    "“%(indicator)s” is cumulative: it cannot fall from %(before)s to %(now)s. Give the total so far, "
                    "not the period's increase."
                )
                % {"indicator": value.objective.indicator, "before": value.actual, "now": parsed[pk][0]}
            )
    return problems


def final_report_problems(project: Project) -> list[str]:
    problems = []
    if not project.mid_term_accepted_on:
        problems.append(_("The mid-term review has not been accepted yet."))
    if project.rectifications.exclude(status=RectificationStatus.ACCEPTED).exists():
        problems.append(_("Open rectifications must be accepted first."))
    if ProgressReport.objects.filter(project=project, kind=ReportKind.FINAL, returned_at__isnull=True).exists():
        problems.append(_("The final report has already been submitted."))
    return problems


def achieved(accumulation: str, values: list[Decimal]) -> Decimal:
    """What an indicator has reached after the values reported so far, in the order of their periods: a count
    adds its increments; a level or rate, and a cumulative figure, stand at their latest value."""
    if not values:
        return Decimal("0")
    if accumulation == Accumulation.SUM:
        return sum(values, Decimal("0"))
    return values[-1]


def progress(project: Project) -> list[dict]:
    """Per objective: target, the value of each reported period and what is reached after it (by the
    indicator's kind, ``achieved``), and the share of the target. Two queries. A returned final report counts
    for nothing until it is submitted again.

    ``cumulative`` is what the objective has reached (the name every page and export reads)."""
    terms = list(Term.values)
    objectives = sorted(project.application.objectives.all(), key=lambda o: (terms.index(o.term), o.pk))
    reports = sorted(
        (r for r in project.reports.all() if r.returned_at is None), key=lambda r: (r.period_end, r.period_start, r.pk)
    )
    values = {}
    for value in IndicatorValue.objects.filter(report__project=project, report__returned_at__isnull=True):
        values[(value.objective_id, value.report_id)] = value.actual
    rows = []
    for objective in objectives:
        reported, periods = [], []
        for report in reports:
            actual = values.get((objective.pk, report.pk))
            if actual is None:
                continue
            reported.append(actual)
            periods.append(
                {"report": report, "actual": actual, "cumulative": achieved(objective.accumulation, reported)}
            )
        reached = achieved(objective.accumulation, reported)
        percent = (reached / objective.target * 100).quantize(Decimal("1")) if objective.target else None
        rows.append(
            {
                "objective": objective,
                "periods": periods,
                "cumulative": reached,
                "percent": percent,
                "met": percent is not None and percent >= 100,
            }
        )
    return rows


def beneficiaries_reached(project: Project) -> int:
    from django.db.models import Sum

    return project.activities.aggregate(total=Sum("beneficiaries"))["total"] or 0


def publish_progress(*, actor, project: Project, published: bool = True) -> Project:
    _require(actor, OPERATORS, _("Only hub operators publish a project's progress."))
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(progress_published=published)
        record_event(
            actor=actor,
            action="project.progress_published" if published else "project.progress_hidden",
            subject=project,
        )
        showcase.changed()
    project.refresh_from_db()
    return project

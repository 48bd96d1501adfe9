"""Correcting what an organisation recorded (更正): its activities and its reports.

The organisation corrects its own records until the supervisor or an operator has reviewed them; after that
only an operator does, with a reason. Every correction is audited with what changed (before → after), so a
figure that moved can always be traced. A final report is not corrected here: the operator returns it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import showcase
from incubator.audit.services import record_event
from incubator.permissions import is_operator
from incubator.projects.models import FINISHED, IndicatorValue, ProgressReport, Project, ProjectActivity, ReportKind
from incubator.projects.services.implementation import (
    _parse_values,
    _period_problems,
    activity_problems,
    report_problems,
)
from incubator.projects.services.lifecycle import _require_member, _require_supervisor


def _may_correct(actor, record, reason: str) -> None:
    project = record.project
    if project.status in FINISHED and not is_operator(actor):
        raise PermissionDenied(_("The project is finished: only a hub operator corrects its records."))
    if record.reviewed_at:
        if not is_operator(actor):
            raise PermissionDenied(
                _("This record has been reviewed: ask the hub to correct it (they will say why in its history).")
            )
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Say why a reviewed record is corrected.")]})
    else:
        _require_member(actor, project)


def _diff(model, before: dict, after: dict) -> str:
    """ "新增受益人数: 25 → 20; …": the fields that changed, named as the forms name them (an indicator by itself)."""

    def label(name):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # an indicator's name, not a field
            return name

    return "; ".join(f"{label(n)}: {before[n]} → {after[n]}" for n in before if before[n] != after[n])


def _audit(actor, action: str, record, changes: str, reason: str) -> None:
    why = " — ".join(part for part in ((reason or "").strip(), changes) if part)
    record_event(actor=actor, action=action, subject=record.project, reason=f"{record}: {why}"[:2000])


def correct_activity(
    *,
    actor,
    activity: ProjectActivity,
    held_on: datetime.date,
    title: str,
    description: str = "",
    participants=0,
    beneficiaries=0,
    reason: str = "",
) -> ProjectActivity:
    activity = ProjectActivity.objects.select_related("project").get(pk=activity.pk)  # as it stands now
    _may_correct(actor, activity, reason)
    problems, participants, beneficiaries = activity_problems(
        activity.project, held_on=held_on, title=title, participants=participants, beneficiaries=beneficiaries
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = ProjectActivity.objects.select_for_update().select_related("project").get(pk=activity.pk)
        _may_correct(actor, locked, reason)  # reviewed meanwhile?
        names = ("held_on", "title", "description", "participants", "beneficiaries")
        before = {name: getattr(locked, name) for name in names}
        locked.held_on, locked.title, locked.description = held_on, title.strip(), (description or "").strip()
        locked.participants, locked.beneficiaries = participants, beneficiaries
        after = {name: getattr(locked, name) for name in names}
        if before == after:
            return locked
        locked.save()
        _audit(actor, "activity.corrected", locked, _diff(ProjectActivity, before, after), reason)
        showcase.changed()
    return locked


def correct_report(
    *,
    actor,
    report: ProgressReport,
    period_start: datetime.date,
    period_end: datetime.date,
    summary: str,
    values: dict,
    reason: str = "",
) -> ProgressReport:
    report = ProgressReport.objects.select_related("project").get(pk=report.pk)  # as it stands now
    if report.kind == ReportKind.FINAL:
        raise ValidationError(_("A final report is corrected by the hub returning it to the organisation."))
    _may_correct(actor, report, reason)
    problems = report_problems(period_start, period_end, summary)
    parsed, value_problems = _parse_values(report.project, values)
    problems += value_problems
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=report.project_id)  # periods of one project, one at a time
        locked = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
        _may_correct(actor, locked, reason)
        if clash := _period_problems(locked.project, period_start, period_end, parsed, exclude=locked.pk):
            raise ValidationError(clash)
        old_values = {v.objective_id: v for v in locked.values.select_related("objective")}
        before = {
            "period_start": locked.period_start,
            "period_end": locked.period_end,
            "summary": locked.summary,
            **{v.objective.indicator: v.actual for v in old_values.values()},
        }
        locked.period_start, locked.period_end, locked.summary = period_start, period_end, summary.strip()
        locked.save()
        locked.values.all().delete()
        IndicatorValue.objects.bulk_create(
            IndicatorValue(report=locked, objective_id=pk, actual=actual, note=note)
            for pk, (actual, note) in parsed.items()
        )
        indicators = {o.pk: o.indicator for o in locked.project.application.objectives.all()}
        after = {
            "period_start": period_start,
            "period_end": period_end,
            "summary": locked.summary,
            **{indicators[pk]: actual for pk, (actual, _note) in parsed.items()},
        }
        for name in set(before) | set(after):
            before.setdefault(name, "—")
            after.setdefault(name, "—")
        changes = _diff(ProgressReport, before, after)
        if changes:
            _audit(actor, "report.corrected", locked, changes, reason)
            showcase.changed()
    return locked


def mark_reviewed(*, actor, record) -> object:
    """The supervisor (or an operator) has read the activity or the report: from now on only the hub corrects it."""
    _require_supervisor(actor, record.project)
    model = type(record)
    if model not in (ProjectActivity, ProgressReport):
        raise TypeError(f"not a reviewable record: {record!r}")
    with transaction.atomic():
        locked = model.objects.select_for_update().select_related("project").get(pk=record.pk)
        if locked.reviewed_at:
            return locked
        locked.reviewed_at, locked.reviewed_by = timezone.now(), actor
        locked.save(update_fields=["reviewed_at", "reviewed_by"])
        action = "activity.reviewed" if model is ProjectActivity else "report.reviewed"
        record_event(actor=actor, action=action, subject=locked.project, reason=str(locked))
    return locked

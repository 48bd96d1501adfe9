"""Calls for proposals (项目征集): the CALL and APPLICATION workflows, a call's rubric, opening, closing, review.

Every change of state goes through ``run_transition`` (guarded, audited, notified on commit).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator import showcase
from incubator.audit.services import record_event
from incubator.funding.models import (
    DEADLINE_MINUTE,
    ApplicationStatus,
    BudgetStandard,
    Call,
    CallStatus,
    Criterion,
    Quota,
    RubricTemplate,
    Score,
    TemplateCriterion,
)
from incubator.notifications.services import notify
from incubator.orgs.selectors import members_of_any
from incubator.permissions import OPERATORS, ORGANISATION_PEOPLE, user_has_role
from incubator.workflow import Transition, TransitionError, Workflow, run_transition

CENT = Decimal("0.01")
APPLICANTS = ORGANISATION_PEOPLE

CALL = Workflow(
    name="call",
    states=CallStatus,
    transitions=[
        Transition("open", (CallStatus.DRAFT,), CallStatus.OPEN, OPERATORS, gettext_lazy("Open the call")),
        Transition("close", (CallStatus.OPEN,), CallStatus.CLOSED, OPERATORS, gettext_lazy("Close the call")),
        Transition(
            "reopen",
            (CallStatus.CLOSED,),
            CallStatus.OPEN,
            OPERATORS,
            gettext_lazy("Reopen the call"),
            needs_reason=True,
        ),
        Transition(
            "start_review", (CallStatus.CLOSED,), CallStatus.REVIEWING, OPERATORS, gettext_lazy("Start the review")
        ),
        Transition(
            "decide", (CallStatus.REVIEWING,), CallStatus.DECIDED, OPERATORS, gettext_lazy("Confirm the decision")
        ),
        Transition(
            "announce",
            (CallStatus.DECIDED,),
            CallStatus.ANNOUNCED,
            OPERATORS,
            gettext_lazy("Publish the public notice"),
        ),
    ],
)

APPLICATION = Workflow(
    name="application",
    states=ApplicationStatus,
    transitions=[
        Transition(
            "submit", (ApplicationStatus.DRAFT,), ApplicationStatus.SUBMITTED, APPLICANTS, gettext_lazy("Submit")
        ),
        Transition(
            "screen_out",
            (ApplicationStatus.SUBMITTED,),
            ApplicationStatus.SCREENED_OUT,
            OPERATORS,
            gettext_lazy("Screen out"),
            needs_reason=True,
        ),
        Transition(
            "accept",
            (ApplicationStatus.SUBMITTED,),
            ApplicationStatus.IN_REVIEW,
            OPERATORS,
            gettext_lazy("Send to review"),
        ),
        Transition(
            "reviewed",
            (ApplicationStatus.IN_REVIEW,),
            ApplicationStatus.REVIEWED,
            OPERATORS,
            gettext_lazy("Mark reviewed"),
        ),
        Transition(
            "recommend",
            (ApplicationStatus.REVIEWED,),
            ApplicationStatus.RECOMMENDED,
            OPERATORS,
            gettext_lazy("Recommend for funding"),
        ),
        Transition(
            "not_fund",
            (ApplicationStatus.REVIEWED,),
            ApplicationStatus.NOT_FUNDED,
            OPERATORS,
            gettext_lazy("Do not fund"),
        ),
        Transition(
            "open_notice",
            (ApplicationStatus.RECOMMENDED,),
            ApplicationStatus.IN_NOTICE,
            OPERATORS,
            gettext_lazy("Put on public notice"),
        ),
        Transition(
            "award", (ApplicationStatus.IN_NOTICE,), ApplicationStatus.AWARDED, OPERATORS, gettext_lazy("Award")
        ),
        Transition(
            "reject",
            (ApplicationStatus.IN_NOTICE,),
            ApplicationStatus.REJECTED,
            OPERATORS,
            gettext_lazy("Reject after objection"),
            needs_reason=True,
        ),
    ],
)


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Calls ------------------------------------------------------------------------------------------


def copy_rubric(*, actor, call: Call, template: RubricTemplate) -> list[Criterion]:
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators set a call's rubric."))
    if call.status != CallStatus.DRAFT:
        raise TransitionError(_("The rubric can change only while the call is a draft."))
    with transaction.atomic():
        call.criteria.all().delete()
        return Criterion.objects.bulk_create(
            Criterion(call=call, name=c.name, guidance=c.guidance, weight=c.weight, position=c.position)
            for c in template.criteria.all()
        )


def open_call(*, actor, call: Call) -> Call:
    def guard(locked):
        problems = []
        weights = sum((c.weight for c in locked.criteria.all()), Decimal(0))
        if not locked.criteria.exists():
            problems.append(_("Give the call a review rubric."))
        elif weights != 100:
            problems.append(_("The rubric's weights add up to %(sum)s, not 100.") % {"sum": weights})
        if not locked.service_fields:
            problems.append(_("Choose at least one service field."))
        if locked.accepts_until <= timezone.now():
            problems.append(_("The closing time has already passed."))
        if locked.per_project_cap > locked.budget:
            problems.append(_("The cap per project is larger than the whole budget."))
        if problems:
            raise TransitionError(" ".join(problems))

    return run_transition(workflow=CALL, obj=call, name="open", actor=actor, guard=guard)


def close_due_calls(*, now=None) -> int:
    """At the deadline, open calls close by themselves (run by beat every few minutes)."""
    now = now or timezone.now()
    closed = 0
    for call in Call.objects.filter(status=CallStatus.OPEN).past_their_deadline(now):
        run_transition(
            workflow=CALL,
            obj=call,
            name="close",
            actor=None,
            system=True,
            reason=_("Closed automatically at its deadline."),
        )
        closed += 1
    return closed


def start_review(*, actor, call: Call) -> Call:
    return run_transition(workflow=CALL, obj=call, name="start_review", actor=actor)


# --- Correcting a call's set-up ---------------------------------------------------------------------
#
# While a call is a draft, or open with no application yet, its set-up is corrected freely. Once organisations
# have applied, every change needs a reason, is audited and is told to the applicants; after the call closes,
# its rules no longer change (the applications were written and screened against them).


def _applicants_of(call: Call):
    return members_of_any(call.applications.values("organisation_id"))


def _setup_change(*, actor, call: Call, reason: str, what: str) -> str:
    """Check that the call's set-up may change now; the reason required, if any, stripped."""
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators set up calls."))
    reason = (reason or "").strip()
    if call.status not in (CallStatus.DRAFT, CallStatus.OPEN):
        raise TransitionError(
            _("%(what)s can no longer change: the call is “%(state)s”.")
            % {"what": what, "state": call.get_status_display()}
        )
    if call.applications.exists() and not reason:
        raise ValidationError(
            {"reason": [_("Organisations have already applied: say why this changes; they will be told.")]}
        )
    return reason


def _announce_change(*, actor, call: Call, action: str, change: str, reason: str) -> None:
    record_event(actor=actor, action=action, subject=call, reason=f"{change} — {reason}" if reason else change)
    if reason:
        notify("call.changed", to=_applicants_of(call), context={"call": call, "change": change, "reason": reason})
    showcase.changed()


CALL_SETUP_FIELDS = (
    "title",
    "description",
    "budget",
    "per_project_cap",
    "service_fields",
    "eligible_legal_forms",
    "eligible_tiers",
    "eligible_streets",
    "required_courses",
    "opens_at",
    "closes_at",
    "aggregation",
    "notice_working_days",
    "needs",
    "first_installment_percent",
    "second_installment_percent",
    "final_installment_percent",
)


# Wording and the needs addressed can be corrected at any time; they change no rule anyone applied under.
WORDING_FIELDS = ("title", "description", "needs")


def create_call(*, actor, **fields) -> Call:
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators set up calls."))
    many = {name: fields.pop(name) for name in ("eligible_streets", "required_courses", "needs") if name in fields}
    call = Call(**fields)
    call.full_clean()
    with transaction.atomic():
        call.save()
        for name, values in many.items():
            getattr(call, name).set(values)
        record_event(actor=actor, action="call.changed", subject=call, reason=_("Call created"))
    return call


def update_call(*, actor, call: Call, reason: str = "", **fields) -> Call:
    """Change a call's set-up (the fields given). With applications in, a reason is required and told."""
    unknown = set(fields) - set(CALL_SETUP_FIELDS)
    if unknown:
        raise PermissionDenied(_("“%(field)s” cannot be set here.") % {"field": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if set(fields) - set(WORDING_FIELDS):
            reason = _setup_change(actor=actor, call=locked, reason=reason, what=_("The call's set-up"))
        elif not user_has_role(actor, OPERATORS):
            raise PermissionDenied(_("Only hub operators set up calls."))
        many = {name: fields.pop(name) for name in ("eligible_streets", "required_courses", "needs") if name in fields}
        changes = []
        for name, value in fields.items():
            before = getattr(locked, name)
            if before != value:
                changes.append(f"{Call._meta.get_field(name).verbose_name}: {_shown(before)} → {_shown(value)}")
            setattr(locked, name, value)
        locked.full_clean()
        if locked.status == CallStatus.OPEN and locked.accepts_until <= timezone.now():
            raise ValidationError({"closes_at": [_("An open call's closing time must be in the future.")]})
        locked.save()
        for name, values in many.items():
            field = getattr(locked, name)
            if {v.pk for v in field.all()} != {v.pk for v in values}:
                changes.append(str(Call._meta.get_field(name).verbose_name))
            field.set(values)
        if changes:
            _announce_change(actor=actor, call=locked, action="call.changed", change="; ".join(changes), reason=reason)
    return locked


def _shown(value) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return "—" if value in (None, "") else str(value)


def close_call_now(*, actor, call: Call, reason: str = "") -> Call:
    """An operator closes the call before its deadline (e.g. enough applications, or a mistake found)."""

    def apply(locked):
        locked.closes_at = timezone.now().replace(second=0, microsecond=0)

    return run_transition(
        workflow=CALL, obj=call, name="close", actor=actor, reason=(reason or "").strip(), apply=apply
    )


def reopen_call(*, actor, call: Call, closes_at, reason: str) -> Call:
    """A closed call takes applications again until a new deadline (e.g. too few came in), before its review."""
    reason = (reason or "").strip()

    def guard(locked):
        if closes_at is None or closes_at.replace(second=0, microsecond=0) + DEADLINE_MINUTE <= timezone.now():
            raise ValidationError({"closes_at": [_("Give a new closing time in the future.")]})

    def apply(locked):
        locked.closes_at = closes_at

    reopened = run_transition(
        workflow=CALL, obj=call, name="reopen", actor=actor, reason=reason, guard=guard, apply=apply
    )
    notify(
        "call.changed",
        to=_applicants_of(reopened),
        context={
            "call": reopened,
            "change": _("Applications reopen until %(time)s.") % {"time": _shown(reopened.closes_at)},
            "reason": reason,
        },
    )
    return reopened


def _save_rule(*, actor, call: Call, model, row, values: dict, what: str, action: str, reason: str):
    """Add a rule of the call (``row`` None) or correct one: a budget standard or a quota."""
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        reason = _setup_change(actor=actor, call=locked, reason=reason, what=what)
        if row is not None and row.call_id != locked.pk:
            raise PermissionDenied(_("This rule belongs to another call."))
        before = _described(row) if row is not None else ""
        row = row or model(call=locked)
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
        change = f"{before} → {_described(row)}" if before else _("Added: %(rule)s") % {"rule": _described(row)}
        _announce_change(actor=actor, call=locked, action=action, change=change, reason=reason)
    return row


def _delete_rule(*, actor, row, what: str, action: str, reason: str) -> None:
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=row.call_id)
        reason = _setup_change(actor=actor, call=locked, reason=reason, what=what)
        described = _described(row)
        row.delete()
        _announce_change(
            actor=actor, call=locked, action=action, change=_("Removed: %(rule)s") % {"rule": described}, reason=reason
        )


def _described(row) -> str:
    return row.describe() if isinstance(row, BudgetStandard) else str(row)


def save_standard(
    *, actor, call: Call, category: str, max_percent=None, max_amount=None, standard=None, reason: str = ""
) -> BudgetStandard:
    """Add a budget standard, or correct one (``standard``). One of the two limits at least."""
    return _save_rule(
        actor=actor,
        call=call,
        model=BudgetStandard,
        row=standard,
        values={"category": category, "max_percent": max_percent, "max_amount": max_amount},
        what=_("Budget standards"),
        action="call.standard_changed",
        reason=reason,
    )


def delete_standard(*, actor, standard: BudgetStandard, reason: str = "") -> None:
    _delete_rule(actor=actor, row=standard, what=_("Budget standards"), action="call.standard_changed", reason=reason)


def save_quota(*, actor, call: Call, target_group: str, min_percent, quota=None, reason: str = "") -> Quota:
    return _save_rule(
        actor=actor,
        call=call,
        model=Quota,
        row=quota,
        values={"target_group": target_group, "min_percent": min_percent},
        what=_("Quotas"),
        action="call.quota_changed",
        reason=reason,
    )


def delete_quota(*, actor, quota: Quota, reason: str = "") -> None:
    _delete_rule(actor=actor, row=quota, what=_("Quotas"), action="call.quota_changed", reason=reason)


def rubric_problems(rows: list[dict]) -> list[str]:
    if not rows:
        return [_("Give the rubric at least one criterion.")]
    weights = sum((row["weight"] for row in rows), Decimal(0))
    if weights != 100:
        return [_("The rubric's weights add up to %(sum)s, not 100.") % {"sum": weights}]
    return []


def save_rubric(*, actor, call: Call | None = None, template: RubricTemplate | None = None, rows: list[dict]):
    """Replace the criteria of a call (before its review starts) or of a template: ``rows`` of name, guidance,
    weight, in order. The weights must add up to 100."""
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators set rubrics."))
    if problems := rubric_problems(rows):
        raise ValidationError(problems)
    with transaction.atomic():
        if template is not None:
            made = [TemplateCriterion(template=template, position=i, **row) for i, row in enumerate(rows)]
            for criterion in made:
                criterion.full_clean()
            template.criteria.all().delete()
            return TemplateCriterion.objects.bulk_create(made)
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.status not in (CallStatus.DRAFT, CallStatus.OPEN, CallStatus.CLOSED):
            raise TransitionError(_("The rubric can no longer change: the review has started."))
        if Score.objects.filter(criterion__call=locked).exists():
            raise TransitionError(_("The rubric can no longer change: experts have scored with it."))
        made = [Criterion(call=locked, position=i, **row) for i, row in enumerate(rows)]
        for criterion in made:
            criterion.full_clean()
        locked.criteria.all().delete()
        made = Criterion.objects.bulk_create(made)
        record_event(
            actor=actor,
            action="call.rubric_changed",
            subject=locked,
            reason="; ".join(f"{row['name']} {row['weight']}%" for row in rows),
        )
    return made

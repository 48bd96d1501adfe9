"""Calls for proposals (项目征集): the CALL and APPLICATION workflows, a call's rubric, opening, closing, review.

Every change of state goes through ``run_transition`` (guarded, audited, notified on commit).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.funding.models import (
    ApplicationStatus,
    Call,
    CallStatus,
    Criterion,
    RubricTemplate,
)
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
        if locked.closes_at <= timezone.now():
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
    for call in Call.objects.filter(status=CallStatus.OPEN, closes_at__lte=now):
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

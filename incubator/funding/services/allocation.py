"""Ranking and allocation (排序与资助分配): aggregation, quotas, overrides, the confirmed decision."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.audit.actions import declare_states
from incubator.audit.services import record_event
from incubator.funding.models import (
    Application,
    ApplicationStatus,
    Assignment,
    BudgetLine,
    Call,
    CallStatus,
)
from incubator.funding.selection import Candidate, QuotaRule, select
from incubator.funding.services.applications import _tell_applicant
from incubator.funding.services.calls import APPLICATION, CALL, _money
from incubator.funding.services.review import missing_scores
from incubator.notifications.services import notify
from incubator.orgs.models import Verification
from incubator.orgs.selectors import members_of
from incubator.permissions import OPERATORS, operators, require_can_act_for, user_has_role
from incubator.workflow import TransitionError, run_transition

declare_states(
    "application.override",
    {
        "include": gettext_lazy("Fund"),
        "exclude": gettext_lazy("Do not fund"),
        "none": gettext_lazy("No manual decision"),
    },
)

# --- Ranking and allocation -------------------------------------------------------------------------


def aggregate(totals: list[Decimal], method: str) -> Decimal | None:
    if not totals:
        return None
    values = sorted(totals)
    if method == "trimmed" and len(values) >= 3:
        values = values[1:-1]
    return _money(sum(values) / len(values))


def ranking(call: Call) -> list[dict]:
    """Applications in review or reviewed, best first, with spread and outlying experts. Two queries."""
    applications = list(
        Application.objects.filter(
            call=call,
            status__in=[
                ApplicationStatus.IN_REVIEW,
                ApplicationStatus.REVIEWED,
                ApplicationStatus.RECOMMENDED,
                ApplicationStatus.NOT_FUNDED,
            ],
        )
        .select_related("organisation")
        .only(
            "id",
            "title",
            "status",
            "target_groups",
            "override",
            "override_reason",
            "offered_amount",
            "offer_accepted_at",
            "organisation__name",
            "organisation__verification",
            "call_id",
        )
    )
    totals: dict[int, list[Decimal]] = {}
    for application_id, total in Assignment.objects.filter(
        application__call=call, submitted_at__isnull=False
    ).values_list("application_id", "total"):
        totals.setdefault(application_id, []).append(total)
    requested = dict(
        BudgetLine.objects.filter(application__call=call)
        .values("application_id")
        .annotate(total=models_sum("amount"))
        .values_list("application_id", "total")
    )
    rows = []
    for application in applications:
        expert_totals = totals.get(application.pk, [])
        score = aggregate(expert_totals, call.aggregation)
        spread = (max(expert_totals) - min(expert_totals)) if expert_totals else None
        outliers = [t for t in expert_totals if score is not None and abs(t - score) >= 20]
        rows.append(
            {
                "application": application,
                "score": score,
                "expert_totals": sorted(expert_totals),
                "spread": spread,
                "outliers": outliers,
                "requested": _money(requested.get(application.pk) or 0),
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["application"].pk))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    return rows


def models_sum(field):
    from django.db.models import Sum

    return Sum(field)


# --- The proposal ----------------------------------------------------------------------------------------------


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _yuan(cents: int) -> Decimal:
    return _money(Decimal(cents) / 100)


def propose_allocation(call: Call, rows: list[dict] | None = None) -> dict:
    """The system's proposal of who is funded, for the operator to confirm: `select` over the ranking.

    Candidates are the scored applications an operator did not exclude (``override=exclude``); those an operator
    included are funded first, whatever the rest. Each costs what it requests, capped per project. The proposal is
    the best selection by rank order that stays within the budget and meets every quota of the call (see `select`
    for the objective and what is guaranteed with several quotas); a quota that no selection was found to meet is
    listed in ``unmet_quotas`` and the others are still met.

    Each row gains ``amount``, ``funded``, ``why`` (``override``/``rank`` when funded) and, when it is not funded
    although a lower-ranked project is, ``passed_over``: ``budget`` (it did not fit in
    ``passed_over_remaining``, what was left after the better-ranked and the overrides) or ``quota`` (funding it
    would have left ``passed_over_quotas`` unmet); ``""`` otherwise.
    """
    rows = rows if rows is not None else ranking(call)
    quotas = list(call.quotas.all())
    cap = call.per_project_cap
    for row in rows:
        agreed = row["application"].agreed_amount
        row["amount"] = min(row["requested"], cap) if agreed is None else min(agreed, row["requested"], cap)
        row["funded"] = False
        row["why"] = ""
        row["passed_over"] = ""
        row["passed_over_remaining"] = None
        row["passed_over_quotas"] = []
    candidates = [r for r in rows if r["score"] is not None and r["application"].override != "exclude"]
    selection = select(
        [
            Candidate(
                rank=r["rank"],
                amount=_cents(r["amount"]),
                groups=frozenset(r["application"].target_groups or ()),
                forced=r["application"].override == "include",
            )
            for r in candidates
        ],
        budget=_cents(call.budget),
        quotas=[QuotaRule(q.target_group, q.min_percent) for q in quotas],
    )
    for position in selection.funded:
        row = candidates[position]
        row["funded"] = True
        row["why"] = "override" if row["application"].override == "include" else "rank"
    for position, why in selection.passed_over.items():
        row = candidates[position]
        row["passed_over"] = why.reason
        row["passed_over_remaining"] = _yuan(why.remaining)
        row["passed_over_quotas"] = [quotas[j] for j in why.quotas]
    funded = [r for r in candidates if r["funded"]]
    return {
        "rows": rows,
        "spent": sum((r["amount"] for r in funded), Decimal("0.00")),
        "budget": call.budget,
        "unmet_quotas": [quotas[j] for j in selection.unmet],
        "quota_status": [
            {
                "quota": q,
                "met": selection.met[j],
                "have": sum(1 for r in funded if q.target_group in (r["application"].target_groups or [])),
                "funded": len(funded),
            }
            for j, q in enumerate(quotas)
        ],
        "passed_over": len(selection.passed_over),
        "exact": selection.exact,
    }


def set_override(*, actor, application: Application, decision: str, reason: str) -> Application:
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators decide."))
    if decision not in ("include", "exclude", ""):
        raise ValidationError(_("Unknown decision."))
    if decision and not (reason or "").strip():
        raise ValidationError(_("A manual decision must be justified."))
    if application.call.status != CallStatus.REVIEWING:
        raise TransitionError(_("Manual decisions are made while the call is being reviewed."))
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=application.call_id)
        if decision == "include":
            forced = _forced_total(call, also=application)
            if forced > call.budget:
                raise ValidationError(
                    _(
                        "Funding it by hand would commit %(total)s yuan to the projects funded by hand, more than the "
                        "budget of %(budget)s yuan (%(over)s yuan over)."
                    )
                    % {"total": forced, "budget": call.budget, "over": forced - call.budget}
                )
        Application.objects.filter(pk=application.pk).update(override=decision, override_reason=reason.strip())
        record_event(
            actor=actor, action="application.override", subject=application, to_state=decision or "none", reason=reason
        )
    application.refresh_from_db()
    return application


def _forced_total(call: Call, *, also: Application | None = None) -> Decimal:
    """What the applications funded by hand (and ``also``) would cost, each capped and at any agreed amount."""
    rows = [
        r for r in ranking(call) if r["application"].override == "include" or (also and r["application"].pk == also.pk)
    ]
    total = Decimal("0.00")
    for row in rows:
        agreed = row["application"].agreed_amount
        total += (
            min(row["requested"], call.per_project_cap)
            if agreed is None
            else min(agreed, row["requested"], call.per_project_cap)
        )
    return total


def offer_partial_funding(*, actor, application: Application, amount, reason: str) -> Application:
    """The hub offers less than the application asks (e.g. to fund one more project); it counts in the proposal
    once the applicant agrees."""
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators decide."))
    reason = (reason or "").strip()
    problems = {}
    if not reason:
        problems["reason"] = [_("Say why less is offered; the applicant reads it.")]
    requested = application.requested_amount
    if amount is None or amount <= 0 or amount >= min(requested, application.call.per_project_cap):
        problems["amount"] = [
            _("Offer an amount above 0 and below the %(requested)s yuan the project would receive.")
            % {"requested": min(requested, application.call.per_project_cap)}
        ]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
        if locked.call.status != CallStatus.REVIEWING or locked.status not in (
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.REVIEWED,
        ):
            raise TransitionError(_("Partial funding is offered while the call is being reviewed."))
        locked.offered_amount, locked.offer_reason, locked.offer_accepted_at = _money(amount), reason, None
        locked.save(update_fields=["offered_amount", "offer_reason", "offer_accepted_at", "updated_at"])
        record_event(
            actor=actor,
            action="application.partial_offered",
            subject=locked,
            reason=f"{locked.offered_amount}: {reason}",
        )
    notify(
        "application.partial_offered",
        to=members_of(locked.organisation),
        context={"application": locked, "call": locked.call, "amount": locked.offered_amount, "reason": reason},
    )
    return locked


def answer_partial_funding(*, actor, application: Application, accept: bool) -> Application:
    """The applicant agrees to the smaller amount (the project is then planned with it) or declines it."""
    require_can_act_for(actor, application.organisation)
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
        if locked.offered_amount is None or locked.offer_accepted_at or locked.call.status != CallStatus.REVIEWING:
            raise TransitionError(_("There is no offer of partial funding to answer."))
        if accept:
            locked.offer_accepted_at = timezone.now()
        else:
            locked.offered_amount, locked.offer_accepted_at = None, None
        locked.save(update_fields=["offered_amount", "offer_accepted_at", "updated_at"])
        record_event(
            actor=actor,
            action="application.partial_accepted" if accept else "application.partial_declined",
            subject=locked,
        )
    notify(
        "application.partial_answered",
        to=operators(),
        context={"application": locked, "accepted": accept},
    )
    return locked


def confirm_allocation(*, actor, call: Call, justification: str = "") -> dict:
    """The operator confirms the proposal: scores, ranks and amounts are written, states move. A decision over the
    budget is refused; one that leaves a quota unmet needs a written justification, shown on the public notice."""
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators decide."))
    justification = (justification or "").strip()
    with transaction.atomic():
        locked_call = Call.objects.select_for_update().get(pk=call.pk)
        if locked_call.status != CallStatus.REVIEWING:
            raise TransitionError(
                _("“%(action)s” is not possible while %(object)s is “%(state)s”.")
                % {"action": CALL["decide"].label, "object": locked_call, "state": locked_call.get_status_display()}
            )
        if waiting := missing_scores(locked_call):
            raise TransitionError(
                _("%(count)d applications still wait for experts' scores:") % {"count": len(waiting)},
                *(
                    _("%(application)s — %(experts)s")
                    % {
                        "application": application,
                        "experts": "、".join(str(e) for e in experts) or _("no expert assigned"),
                    }
                    for application, experts in waiting
                ),
            )
        proposal = propose_allocation(locked_call)
        unverified = [
            str(row["application"].organisation)
            for row in proposal["rows"]
            if row["funded"] and row["application"].organisation.verification != Verification.VERIFIED
        ]
        if unverified:  # verified at screening, withdrawn since: the hub decides after checking again
            raise TransitionError(
                _("Not verified (any more): %(organisations)s. Verify them, or exclude their projects, first.")
                % {"organisations": "、".join(unverified)}
            )
        if proposal["spent"] > locked_call.budget:
            raise TransitionError(
                _("The decision would spend %(spent)s yuan, more than the budget of %(budget)s yuan.")
                % {"spent": proposal["spent"], "budget": locked_call.budget}
            )
        if proposal["unmet_quotas"] and not justification:
            raise ValidationError(
                {
                    "justification": [
                        _("The decision leaves %(quotas)s unmet: write why (it is shown on the public notice).")
                        % {"quotas": "、".join(str(q) for q in proposal["unmet_quotas"])}
                    ]
                }
            )
        locked_call.decision_justification = justification if proposal["unmet_quotas"] else ""
        locked_call.save(update_fields=["decision_justification"])
        for row in proposal["rows"]:
            application = row["application"]
            Application.objects.filter(pk=application.pk).update(
                score=row["score"], rank=row["rank"], awarded_amount=row["amount"] if row["funded"] else None
            )
            if application.status == ApplicationStatus.REVIEWED:
                run_transition(
                    workflow=APPLICATION,
                    obj=application,
                    name="recommend" if row["funded"] else "not_fund",
                    actor=actor,
                    reason=application.override_reason,
                    notify=_tell_applicant,
                )
        run_transition(
            workflow=CALL,
            obj=locked_call,
            name="decide",
            actor=actor,
            reason=_("%(funded)d projects, %(spent)s of %(budget)s yuan")
            % {
                "funded": sum(1 for r in proposal["rows"] if r["funded"]),
                "spent": proposal["spent"],
                "budget": proposal["budget"],
            },
        )
    return proposal

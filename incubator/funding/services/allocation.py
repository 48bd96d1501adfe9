"""Ranking and allocation (排序与资助分配): aggregation, quotas, overrides, the confirmed decision."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incubator.audit.services import record_event
from incubator.funding.models import (
    Application,
    ApplicationStatus,
    Assignment,
    BudgetLine,
    Call,
    CallStatus,
)
from incubator.funding.services.applications import _tell_applicant
from incubator.funding.services.calls import APPLICATION, CALL, _money
from incubator.permissions import OPERATORS, user_has_role
from incubator.workflow import TransitionError, run_transition

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
        .only("id", "title", "status", "target_groups", "override", "override_reason", "organisation__name", "call_id")
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


def propose_allocation(call: Call, rows: list[dict] | None = None) -> dict:
    """Fund down the ranking within the budget, then repair quotas by swapping (the system proposes).

    Manual overrides on applications (``include``/``exclude``) are honoured first. A quota asks that at
    least a share of the funded projects serve a group; where greedy ranking falls short, the lowest-ranked
    funded project outside the group gives way to the best-ranked unfunded one inside it that fits.
    """
    rows = rows if rows is not None else ranking(call)
    budget = call.budget
    cap = call.per_project_cap
    quotas = list(call.quotas.all())
    for row in rows:
        row["amount"] = min(row["requested"], cap)
        row["funded"] = False
        row["why"] = ""
    candidates = [r for r in rows if r["score"] is not None and r["application"].override != "exclude"]
    spent = Decimal("0.00")
    for row in [r for r in candidates if r["application"].override == "include"]:
        row["funded"], row["why"] = True, "override"
        spent += row["amount"]
    for row in candidates:
        if not row["funded"] and spent + row["amount"] <= budget:
            row["funded"], row["why"] = True, "rank"
            spent += row["amount"]

    def serves(row, quota):
        return quota.target_group in (row["application"].target_groups or [])

    unmet = []
    for quota in quotas:
        while True:
            funded = [r for r in candidates if r["funded"]]
            needed = (quota.min_percent * len(funded) / 100).to_integral_value(rounding="ROUND_CEILING")
            have = sum(1 for r in funded if serves(r, quota))
            if have >= needed:
                break
            swapped = False
            for out in sorted(
                (r for r in funded if not serves(r, quota) and r["why"] != "override"),
                key=lambda r: r["rank"],
                reverse=True,
            ):
                if any(serves(out, q) and _quota_tight(candidates, q, serves) for q in quotas if q is not quota):
                    continue
                for into in (r for r in candidates if not r["funded"] and serves(r, quota)):
                    if spent - out["amount"] + into["amount"] <= budget:
                        out["funded"], out["why"] = False, "quota_swap_out"
                        into["funded"], into["why"] = True, "quota_swap_in"
                        spent += into["amount"] - out["amount"]
                        swapped = True
                        break
                if swapped:
                    break
            if not swapped:
                unmet.append(quota)
                break
    # Spend what the swaps freed, keeping every quota.
    for row in candidates:
        if not row["funded"] and spent + row["amount"] <= budget:
            row["funded"] = True
            if all(_quota_met(candidates, q, serves) for q in quotas):
                row["why"] = "rank"
                spent += row["amount"]
            else:
                row["funded"] = False
    return {
        "rows": rows,
        "spent": spent,
        "budget": budget,
        "unmet_quotas": unmet,
        "quota_status": [
            {
                "quota": q,
                "met": _quota_met(candidates, q, serves),
                "have": sum(1 for r in candidates if r["funded"] and serves(r, q)),
                "funded": sum(1 for r in candidates if r["funded"]),
            }
            for q in quotas
        ],
    }


def _quota_met(rows, quota, serves) -> bool:
    funded = [r for r in rows if r["funded"]]
    return sum(1 for r in funded if serves(r, quota)) * 100 >= quota.min_percent * len(funded)


def _quota_tight(rows, quota, serves) -> bool:
    """Would one fewer member of this quota's group break it?"""
    funded = [r for r in rows if r["funded"]]
    have = sum(1 for r in funded if serves(r, quota))
    return (have - 1) * 100 < quota.min_percent * (len(funded))


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
        Application.objects.filter(pk=application.pk).update(override=decision, override_reason=reason.strip())
        record_event(
            actor=actor, action="application.override", subject=application, to_state=decision or "none", reason=reason
        )
    application.refresh_from_db()
    return application


def confirm_allocation(*, actor, call: Call) -> dict:
    """The operator confirms the proposal: scores, ranks and amounts are written, states move."""
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators decide."))
    with transaction.atomic():
        locked_call = Call.objects.select_for_update().get(pk=call.pk)
        if locked_call.status != CallStatus.REVIEWING:
            raise TransitionError(
                _("“%(action)s” is not possible while %(object)s is “%(state)s”.")
                % {"action": CALL["decide"].label, "object": locked_call, "state": locked_call.get_status_display()}
            )
        pending = Application.objects.filter(call=call, status=ApplicationStatus.IN_REVIEW)
        if pending.exists():
            raise TransitionError(
                _("%(count)d applications still wait for experts' scores.") % {"count": pending.count()}
            )
        proposal = propose_allocation(locked_call)
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

"""Venture philanthropy rules: calls, applications, expert review, decision and public notice.

Every change of state goes through ``run_transition`` (guarded, audited, notified on commit).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.audit.services import record_event
from incubator.funding import workdays
from incubator.funding.models import (
    MAX_SCORE,
    Application,
    ApplicationStatus,
    Assignment,
    BudgetLine,
    Call,
    CallStatus,
    ConflictDeclaration,
    Criterion,
    Objection,
    ObjectionStatus,
    Objective,
    PublicNotice,
    RubricTemplate,
    Score,
    Term,
)
from incubator.orgs.models import Membership, Organisation
from incubator.orgs.services import notify_members, operators, require_can_act_for
from incubator.ratelimit import Limit, wait_message
from incubator.workflow import OPERATORS, Transition, TransitionError, Workflow, run_transition, user_has_role

CENT = Decimal("0.01")
APPLICANTS = OPERATORS | {Role.ORGANISATION_MEMBER}

CALL = Workflow(
    name="call",
    states=CallStatus,
    transitions=[
        Transition("open", ("draft",), "open", OPERATORS, gettext_lazy("Open the call")),
        Transition("close", ("open",), "closed", OPERATORS, gettext_lazy("Close the call")),
        Transition("start_review", ("closed",), "reviewing", OPERATORS, gettext_lazy("Start the review")),
        Transition("decide", ("reviewing",), "decided", OPERATORS, gettext_lazy("Confirm the decision")),
        Transition("announce", ("decided",), "announced", OPERATORS, gettext_lazy("Publish the public notice")),
    ],
)

APPLICATION = Workflow(
    name="application",
    states=ApplicationStatus,
    transitions=[
        Transition("submit", ("draft",), "submitted", APPLICANTS, gettext_lazy("Submit")),
        Transition(
            "screen_out", ("submitted",), "screened_out", OPERATORS, gettext_lazy("Screen out"), needs_reason=True
        ),
        Transition("accept", ("submitted",), "in_review", OPERATORS, gettext_lazy("Send to review")),
        Transition("reviewed", ("in_review",), "reviewed", OPERATORS, gettext_lazy("Mark reviewed")),
        Transition("recommend", ("reviewed",), "recommended", OPERATORS, gettext_lazy("Recommend for funding")),
        Transition("not_fund", ("reviewed",), "not_funded", OPERATORS, gettext_lazy("Do not fund")),
        Transition("open_notice", ("recommended",), "in_notice", OPERATORS, gettext_lazy("Put on public notice")),
        Transition("award", ("in_notice",), "awarded", OPERATORS, gettext_lazy("Award")),
        Transition(
            "reject", ("in_notice",), "rejected", OPERATORS, gettext_lazy("Reject after objection"), needs_reason=True
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


# --- Eligibility and applications -----------------------------------------------------------------


def eligibility_problems(call: Call, organisation: Organisation) -> list[str]:
    """Why an organisation may not apply, before it writes anything."""
    problems = []
    if call.eligible_legal_forms and organisation.legal_form not in call.eligible_legal_forms:
        problems.append(
            _("This call is open to %(forms)s; your organisation is a %(form)s.")
            % {
                "forms": "、".join(
                    str(dict(organisation._meta.get_field("legal_form").choices)[f]) for f in call.eligible_legal_forms
                ),
                "form": organisation.get_legal_form_display(),
            }
        )
    if call.eligible_tiers and organisation.tier not in call.eligible_tiers:
        problems.append(
            _("This call is open to 1+n+x tiers %(tiers)s; your organisation is “%(tier)s”.")
            % {
                "tiers": "、".join(
                    str(dict(organisation._meta.get_field("tier").choices)[t]) for t in call.eligible_tiers
                ),
                "tier": organisation.get_tier_display(),
            }
        )
    streets = list(call.eligible_streets.all())
    if streets and organisation.street_id not in {s.pk for s in streets}:
        problems.append(
            _("This call is open to organisations in %(streets)s.") % {"streets": "、".join(s.name for s in streets)}
        )
    return problems


def _window_problem(call: Call, now=None) -> str | None:
    now = now or timezone.now()
    if call.status != CallStatus.OPEN or now < call.opens_at:
        return _("The call “%(call)s” is not open for applications.") % {"call": call}
    if now >= call.closes_at:
        return _("The call “%(call)s” closed at %(time)s; late applications are not accepted.") % {
            "call": call,
            "time": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M"),
        }
    return None


def start_application(*, actor, call: Call, organisation: Organisation) -> Application:
    require_can_act_for(actor, organisation)
    problems = eligibility_problems(call, organisation)
    if window := _window_problem(call):
        problems.insert(0, window)
    if problems:
        raise ValidationError(problems)
    application, created = Application.objects.get_or_create(call=call, organisation=organisation)
    if created:
        record_event(actor=actor, action="application.started", subject=application, to_state="draft")
    return application


DRAFT_FIELDS = (
    "title",
    "service_field",
    "problem",
    "target_groups",
    "beneficiaries",
    "activities",
    "starts_on",
    "ends_on",
)


@transaction.atomic
def save_draft(
    *,
    actor,
    application: Application,
    fields: dict,
    objectives: list[dict] | None = None,
    budget_lines: list[dict] | None = None,
    needs=None,
) -> Application:
    """Drafts save as they go: anything may be incomplete until submission."""
    require_can_act_for(actor, application.organisation)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.DRAFT:
        raise TransitionError(_("A submitted application can no longer be edited."))
    for name, value in fields.items():
        if name not in DRAFT_FIELDS:
            raise PermissionDenied(_("“%(field)s” cannot be set here.") % {"field": name})
        setattr(locked, name, value)
    _check_draft(locked)
    new_objectives = [Objective(application=locked, **row) for row in objectives or []]
    new_lines = [
        BudgetLine(
            application=locked,
            category=row["category"],
            item=row["item"] or "—",
            amount=None if row["amount"] is None else _money(row["amount"]),
        )
        for row in budget_lines or []
    ]
    for row in (*new_objectives, *new_lines):
        _check_draft(row, exclude=["application"], required=("amount",))
    locked.save()
    if objectives is not None:
        locked.objectives.all().delete()
        Objective.objects.bulk_create(new_objectives)
    if budget_lines is not None:
        locked.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(new_lines)
    if needs is not None:
        locked.needs.set(needs)
    return locked


def _check_draft(instance, *, exclude=(), required=()) -> None:
    """A draft may be incomplete, but what it holds has the model's type, range and choices, whoever calls:
    the fields that are empty (and not ``required``) are left to the submission check."""
    empty = [
        f.name
        for f in instance._meta.concrete_fields
        if f.name not in required and getattr(instance, f.attname) in (None, "", [])
    ]
    instance.clean_fields(exclude=[*exclude, *empty])


def submission_problems(application: Application) -> list[str]:
    """Every reason the application cannot be submitted yet, all at once."""
    call = application.call
    problems = []
    if window := _window_problem(call):
        problems.append(window)
    problems += eligibility_problems(call, application.organisation)
    required = {
        "title": _("Give the project a title."),
        "problem": _("Describe the problem and the residents' needs the project addresses."),
        "activities": _("Describe the activities and their timeline."),
    }
    problems += [message for name, message in required.items() if not (getattr(application, name) or "").strip()]
    if application.service_field not in call.service_fields:
        problems.append(_("Choose one of the call's service fields."))
    if not application.target_groups:
        problems.append(_("Say which group of residents the project serves."))
    if not application.beneficiaries:
        problems.append(_("Give the number of beneficiaries."))
    if not application.starts_on or not application.ends_on or application.ends_on <= application.starts_on:
        problems.append(_("Give the project's start and end dates (the end after the start)."))
    objectives = list(application.objectives.all())
    for term in Term:
        if not any(o.term == term and o.indicator.strip() and o.target is not None for o in objectives):
            problems.append(
                _("Add a %(term)s objective with a measurable indicator and a target.") % {"term": term.label}
            )
    lines = list(application.budget_lines.all())
    total = sum((line.amount for line in lines), Decimal("0.00"))
    if not lines:
        problems.append(_("Add the budget lines."))
    elif total > call.per_project_cap:
        problems.append(
            _("The budget of %(total)s yuan exceeds the call's cap of %(cap)s yuan per project.")
            % {"total": total, "cap": call.per_project_cap}
        )
    for standard in call.budget_standards.all():
        spent = sum((line.amount for line in lines if line.category == standard.category), Decimal("0.00"))
        if standard.max_amount is not None and spent > standard.max_amount:
            problems.append(
                _("%(category)s come to %(spent)s yuan; the standard allows at most %(max)s yuan.")
                % {"category": standard.get_category_display(), "spent": spent, "max": standard.max_amount}
            )
        if standard.max_percent is not None and total and spent * 100 > standard.max_percent * total:
            problems.append(
                _("%(category)s are %(share)s%% of the budget; the standard allows at most %(max)s%%.")
                % {
                    "category": standard.get_category_display(),
                    "share": _money(spent * 100 / total),
                    "max": standard.max_percent,
                }
            )
    return problems


def submit_application(*, actor, application: Application) -> Application:
    require_can_act_for(actor, application.organisation)

    def guard(locked):
        problems = submission_problems(locked)
        if problems:
            raise ValidationError(problems)

    def apply(locked):
        locked.submitted_at = timezone.now()

    return run_transition(
        workflow=APPLICATION,
        obj=application,
        name="submit",
        actor=actor,
        guard=guard,
        apply=apply,
        notify=_tell_applicant,
    )


def screen(*, actor, application: Application, accept: bool, reason: str = "") -> Application:
    return run_transition(
        workflow=APPLICATION,
        obj=application,
        name="accept" if accept else "screen_out",
        actor=actor,
        reason=reason,
        notify=_tell_applicant,
    )


def _tell_applicant(locked: Application) -> None:
    notify_members(
        locked.organisation,
        _("Your application: %(state)s") % {"state": locked.get_status_display()},
        _("“%(title)s” (%(call)s) is now: %(state)s.")
        % {"title": locked, "call": locked.call, "state": locked.get_status_display()},
        kind="status" if locked.status in ("submitted", "in_review", "reviewed") else "decision",
    )


# --- Experts --------------------------------------------------------------------------------------


def declare_conflict(*, actor, organisation: Organisation, reason: str = "") -> ConflictDeclaration:
    if not user_has_role(actor, {Role.EXPERT}):
        raise PermissionDenied(_("Only review experts declare conflicts of interest."))
    declaration, _created = ConflictDeclaration.objects.get_or_create(
        expert=actor, organisation=organisation, defaults={"reason": reason}
    )
    return declaration


def assign_experts(*, actor, application: Application, experts: list[User]) -> list[Assignment]:
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators assign experts."))
    if application.status != ApplicationStatus.IN_REVIEW or application.call.status != CallStatus.REVIEWING:
        raise TransitionError(_("Experts are assigned to applications in review, once the call's review has begun."))
    problems = []
    conflicted = set(
        ConflictDeclaration.objects.filter(organisation=application.organisation).values_list("expert_id", flat=True)
    )
    own = set(Membership.objects.filter(organisation=application.organisation).values_list("user_id", flat=True))
    for expert in experts:
        if not expert.groups.filter(name=Role.EXPERT).exists():
            problems.append(_("%(expert)s is not a review expert.") % {"expert": expert})
        elif expert.pk in conflicted:
            problems.append(
                _("%(expert)s declared a conflict of interest with %(organisation)s.")
                % {"expert": expert, "organisation": application.organisation}
            )
        elif expert.pk in own:
            problems.append(
                _("%(expert)s acts for %(organisation)s and cannot review it.")
                % {"expert": expert, "organisation": application.organisation}
            )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        made = [Assignment.objects.get_or_create(application=application, expert=expert)[0] for expert in experts]
        record_event(
            actor=actor,
            action="application.experts_assigned",
            subject=application,
            reason="、".join(str(e) for e in experts),
        )
    from incubator.notifications import notify_users

    transaction.on_commit(
        lambda: notify_users(
            experts,
            _("Review assignment: %(call)s") % {"call": application.call},
            _("You have been asked to review an application to %(call)s.") % {"call": application.call},
            kind="review",
        )
    )
    return made


def assignments_for(expert: User):
    """What an expert may see: their own assignments only."""
    return Assignment.objects.filter(expert=expert).select_related("application__call", "application__organisation")


def submit_scores(*, actor, assignment: Assignment, scores: dict[int, tuple], comment: str = "") -> Assignment:
    """``scores`` maps criterion id to (value 0-10, comment). All criteria at once; submitted once."""
    if actor is None or assignment.expert_id != actor.pk:
        raise PermissionDenied(_("Only the assigned expert scores this application."))
    criteria = list(Criterion.objects.filter(call_id=assignment.application.call_id))
    problems = []
    for criterion in criteria:
        if criterion.pk not in scores:
            problems.append(_("Score “%(criterion)s”.") % {"criterion": criterion.name})
            continue
        try:
            value = Decimal(str(scores[criterion.pk][0]))
            if not value.is_finite():
                value = None
        except (ArithmeticError, ValueError, TypeError, IndexError):
            value = None
        if value is None or not (0 <= value <= MAX_SCORE):
            problems.append(
                _("The score for “%(criterion)s” must be a number from 0 to 10.") % {"criterion": criterion.name}
            )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.submitted_at:
            raise TransitionError(_("Your scores for this application are already submitted."))
        if locked.application.status != ApplicationStatus.IN_REVIEW:
            raise TransitionError(_("This application is no longer in review."))
        Score.objects.bulk_create(
            Score(
                assignment=locked,
                criterion=c,
                value=Decimal(str(scores[c.pk][0])),
                comment=scores[c.pk][1] if len(scores[c.pk]) > 1 else "",
            )
            for c in criteria
        )
        locked.total = _money(sum(Decimal(str(scores[c.pk][0])) / MAX_SCORE * c.weight for c in criteria))
        locked.comment = comment
        locked.submitted_at = timezone.now()
        locked.save()
        record_event(actor=actor, action="assignment.scored", subject=locked.application)
        if not Assignment.objects.filter(application_id=locked.application_id, submitted_at__isnull=True).exists():
            run_transition(
                workflow=APPLICATION,
                obj=locked.application,
                name="reviewed",
                actor=None,
                system=True,
                reason=_("Every assigned expert has scored."),
            )
    return locked


def scores_visible_to(expert: User, application: Application):
    """An expert sees the others' scores only after submitting their own."""
    mine = Assignment.objects.filter(application=application, expert=expert).first()
    if mine is None:
        raise PermissionDenied(_("You are not assigned to this application."))
    if not mine.submitted_at:
        return Score.objects.filter(assignment=mine)
    return Score.objects.filter(assignment__application=application).select_related("criterion", "assignment")


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
        Application.objects.filter(call=call, status__in=["in_review", "reviewed", "recommended", "not_funded"])
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


# --- Public notice and objections ------------------------------------------------------------------


def publish_notice(*, actor, call: Call, starts_on: datetime.date | None = None) -> PublicNotice:
    starts_on = starts_on or timezone.localdate() + datetime.timedelta(days=1)
    first, last = workdays.working_period(starts_on, call.notice_working_days)
    unknown = workdays.unknown_years(first, last)
    note = ""
    if unknown:
        note = _(
            "The statutory holiday calendar for %(years)s is not published yet: Monday to Friday count as "
            "working days, plus the holidays and adjusted working days the hub has entered."
        ) % {"years": "、".join(str(y) for y in unknown)}

    def apply(locked):
        PublicNotice.objects.create(call=locked, starts_on=first, ends_on=last, calendar_note=note)

    with transaction.atomic():
        locked = run_transition(workflow=CALL, obj=call, name="announce", actor=actor, apply=apply)
        for application in Application.objects.filter(call=call, status=ApplicationStatus.RECOMMENDED):
            run_transition(
                workflow=APPLICATION, obj=application, name="open_notice", actor=actor, notify=_tell_applicant
            )
    return locked.notice


OBJECTION_MAX_LENGTH = 2000  # characters: a page of reasons; evidence goes to the hub by the contact given
OBJECTIONS_PER_ADDRESS = Limit("objection-address", limit=5, window=60 * 60)
OBJECTIONS_PER_ADDRESS_AND_NOTICE = Limit("objection-address-notice", limit=3, window=24 * 60 * 60)
OBJECTIONS_PER_NOTICE = Limit("objection-notice", limit=200, window=24 * 60 * 60)
# Operators are e-mailed about the first objections of each hour on a notice; the rest wait on the call page.
OBJECTION_EMAILS_PER_NOTICE = Limit("objection-email-notice", limit=5, window=60 * 60)
OBJECTION_EXCERPT = 300


def lodge_objection(
    *,
    notice: PublicNotice,
    application_id,
    name: str,
    contact: str,
    text: str,
    address: str = "",
    today: datetime.date | None = None,
) -> Objection:
    """Anyone may object during the notice period; no account needed, so the number of objections is
    limited per address, per address and notice, and per notice, and their length is capped."""
    today = today or timezone.localdate()
    problems = {}
    if not (notice.starts_on <= today <= notice.ends_on):
        raise TransitionError(
            _("Objections are accepted from %(start)s to %(end)s.") % {"start": notice.starts_on, "end": notice.ends_on}
        )
    limits = [
        (OBJECTIONS_PER_ADDRESS, address),
        (OBJECTIONS_PER_ADDRESS_AND_NOTICE, f"{address}|{notice.pk}"),
        (OBJECTIONS_PER_NOTICE, str(notice.pk)),
    ]
    if wait := max(limit.retry_after(key) for limit, key in limits):
        raise TransitionError(
            _("Too many objections have been sent from your network or to this notice.") + " " + wait_message(wait)
        )
    application = Application.objects.filter(
        pk=application_id if str(application_id).isdigit() else None,
        call_id=notice.call_id,
        status=ApplicationStatus.IN_NOTICE,
    ).first()
    if application is None:
        problems["application"] = [_("Choose a project on this notice.")]
    for field, value, message, longest in (
        ("name", name, _("Give your name."), Objection._meta.get_field("name").max_length),
        ("contact", contact, _("Give a phone number or e-mail so the hub can reply."), 100),
        ("text", text, _("Say what the objection is."), OBJECTION_MAX_LENGTH),
    ):
        value = (value or "").strip()
        if not value:
            problems[field] = [message]
        elif len(value) > longest:
            problems[field] = [
                _("At most %(max)d characters (this has %(length)d).") % {"max": longest, "length": len(value)}
            ]
    if problems:
        raise ValidationError(problems)
    for limit, key in limits:
        limit.hit(key)
    objection = Objection.objects.create(
        notice=notice, application=application, name=name.strip(), contact=contact.strip(), text=text.strip()
    )
    record_event(actor=None, action="objection.lodged", subject=application, reason=text.strip()[:200])
    if OBJECTION_EMAILS_PER_NOTICE.hit(str(notice.pk)) <= OBJECTION_EMAILS_PER_NOTICE.limit:
        excerpt = text.strip()
        if len(excerpt) > OBJECTION_EXCERPT:
            excerpt = excerpt[:OBJECTION_EXCERPT] + "…"
        body = excerpt + "\n\n" + _("Resolve it on the call's page in the back office.")
        transaction.on_commit(
            lambda: notify_users_operators(_("Objection lodged: %(project)s") % {"project": application}, body)
        )
    return objection


def notify_users_operators(subject: str, body: str) -> None:
    from incubator.notifications import notify_users

    notify_users(operators(), subject, body, kind="operations")


def resolve_objection(*, actor, objection: Objection, upheld: bool, resolution: str) -> Objection:
    return resolve_objections(actor=actor, objections=[objection], upheld=upheld, resolution=resolution)[0]


def resolve_objections(*, actor, objections: list[Objection], upheld: bool, resolution: str) -> list[Objection]:
    """Resolve one or several objections (e.g. the same text sent many times) with one resolution, all or
    none: every one must still be open."""
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators resolve objections."))
    if not (resolution or "").strip():
        raise ValidationError({"resolution": [_("Explain the resolution.")]})
    if not objections:
        raise ValidationError(_("Choose the objections to resolve."))
    resolved = []
    with transaction.atomic():
        locked_all = list(
            Objection.objects.select_for_update()
            .filter(pk__in=[o.pk for o in objections])
            .select_related("application")
            .order_by("pk")
        )
        if any(o.status != ObjectionStatus.OPEN for o in locked_all):
            raise TransitionError(_("This objection has already been resolved."))
        for locked in locked_all:
            locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
            locked.resolution = resolution.strip()
            locked.resolved_at = timezone.now()
            locked.save()
            record_event(
                actor=actor, action=f"objection.{locked.status}", subject=locked.application, reason=resolution
            )
            locked.application.refresh_from_db()
            if upheld and locked.application.status == ApplicationStatus.IN_NOTICE:
                run_transition(
                    workflow=APPLICATION,
                    obj=locked.application,
                    name="reject",
                    actor=actor,
                    reason=resolution,
                    notify=_tell_applicant,
                )
            resolved.append(locked)
    return resolved


def close_notices(*, today: datetime.date | None = None) -> dict:
    """After the last day of a notice, award what no open objection holds up (run daily by beat)."""
    today = today or timezone.localdate()
    awarded = waiting = 0
    for notice in PublicNotice.objects.filter(ends_on__lt=today, closed_at__isnull=True).select_related("call"):
        with transaction.atomic():
            open_objections = set(
                notice.objections.filter(status=ObjectionStatus.OPEN).values_list("application_id", flat=True)
            )
            for application in Application.objects.filter(call=notice.call, status=ApplicationStatus.IN_NOTICE):
                if application.pk in open_objections:
                    waiting += 1
                    continue
                run_transition(
                    workflow=APPLICATION,
                    obj=application,
                    name="award",
                    actor=None,
                    system=True,
                    reason=_("The notice period ended without an upheld objection."),
                    notify=_tell_applicant,
                )
                awarded += 1
            if not open_objections:
                PublicNotice.objects.filter(pk=notice.pk).update(closed_at=timezone.now())
            # Awards are final: each opens its project (contract and installments) in the same transaction.
            from incubator.projects.services import open_projects_for_awards

            open_projects_for_awards()
    return {"awarded": awarded, "waiting_on_objections": waiting}


def release_feedback(*, actor, application: Application, feedback: str) -> Application:
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators release feedback."))
    Application.objects.filter(pk=application.pk).update(released_feedback=feedback.strip())
    record_event(actor=actor, action="application.feedback_released", subject=application)
    application.refresh_from_db()
    return application


def applicant_view(application: Application) -> dict:
    """What the applicant sees: where they stand and the feedback released to them; never who reviewed
    them nor any individual score."""
    return {
        "status": application.get_status_display(),
        "status_code": application.status,
        "feedback": application.released_feedback,
        "awarded_amount": application.awarded_amount if application.status in ("in_notice", "awarded") else None,
        "rank": application.rank if application.status in ("recommended", "in_notice", "awarded") else None,
    }

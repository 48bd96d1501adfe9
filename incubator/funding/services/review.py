"""Expert review (专家评审): conflicts of interest, assignments, scores and who may see them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.audit.services import record_event
from incubator.funding.models import (
    MAX_SCORE,
    Application,
    ApplicationStatus,
    Assignment,
    CallStatus,
    ConflictDeclaration,
    Criterion,
    Score,
)
from incubator.funding.services.calls import APPLICATION, _money
from incubator.notifications.services import notify
from incubator.orgs.models import Membership
from incubator.permissions import OPERATORS, operators, user_has_role
from incubator.workflow import TransitionError, run_transition

# --- Experts --------------------------------------------------------------------------------------


def declare_conflict(*, actor, assignment: Assignment, reason: str) -> ConflictDeclaration:
    """An expert who finds a conflict of interest with the applicant says so before scoring: they are withdrawn
    from this application (and from the organisation's others they have not scored) and never assigned to the
    organisation again; the operators are told, to assign someone else."""
    if not user_has_role(actor, {Role.EXPERT}) or assignment.expert_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only review experts declare conflicts of interest."))
    reason = (reason or "").strip()
    longest = ConflictDeclaration._meta.get_field("reason").max_length
    if not reason:
        raise ValidationError({"reason": [_("Say what the conflict of interest is.")]})
    if len(reason) > longest:
        raise ValidationError(
            {
                "reason": [
                    _("At most %(max)d characters (this has %(length)d).") % {"max": longest, "length": len(reason)}
                ]
            }
        )
    if assignment.submitted_at:
        raise TransitionError(_("Your scores are already submitted; tell the hub's operators about the conflict."))
    application = assignment.application
    organisation = application.organisation
    with transaction.atomic():
        declaration, _created = ConflictDeclaration.objects.get_or_create(
            expert=actor, organisation=organisation, defaults={"reason": reason}
        )
        withdrawn = list(
            Assignment.objects.filter(expert=actor, application__organisation=organisation, submitted_at__isnull=True)
        )
        Assignment.objects.filter(pk__in=[a.pk for a in withdrawn]).delete()
        record_event(actor=actor, action="application.conflict_declared", subject=application, reason=reason)
        for each in withdrawn:
            _reviewed_if_complete(each.application)
    notify(
        "review.conflict_declared",
        to=operators(),
        context={"application": application, "expert": actor, "reason": reason},
    )
    return declaration


def withdraw_assignment(*, actor, assignment: Assignment, reason: str) -> Application:
    """An operator takes back an assignment made by mistake (or one the expert cannot do), before the expert
    has submitted; the expert is told. Scores already submitted stay: they are part of the record."""
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators withdraw experts."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the expert is withdrawn.")]})
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().filter(pk=assignment.pk).select_related("expert").first()
        if locked is None:
            raise TransitionError(_("This assignment was already withdrawn."))
        if locked.submitted_at:
            raise TransitionError(
                _("%(expert)s has already submitted their scores; they can no longer be withdrawn.")
                % {"expert": locked.expert}
            )
        application = Application.objects.select_related("call").get(pk=locked.application_id)
        locked.delete()
        record_event(
            actor=actor,
            action="application.expert_withdrawn",
            subject=application,
            reason=f"{locked.expert}: {reason}",
        )
        _reviewed_if_complete(application)
    notify(
        "review.withdrawn",
        to=[locked.expert],
        context={"application": application, "call": application.call, "reason": reason},
    )
    return application


def _reviewed_if_complete(application: Application) -> None:
    """Once every remaining assigned expert has scored (and at least one has), the application is reviewed."""
    assignments = Assignment.objects.filter(application_id=application.pk)
    if (
        Application.objects.filter(pk=application.pk, status=ApplicationStatus.IN_REVIEW).exists()
        and assignments.exists()
        and not assignments.filter(submitted_at__isnull=True).exists()
    ):
        run_transition(
            workflow=APPLICATION,
            obj=application,
            name="reviewed",
            actor=None,
            system=True,
            reason=_("Every assigned expert has scored."),
        )


def missing_scores(call) -> list[tuple[Application, list[User]]]:
    """The applications of a call still in review, each with the experts whose scores are missing."""
    waiting: dict[int, tuple[Application, list[User]]] = {}
    for assignment in (
        Assignment.objects.filter(
            application__call=call, application__status=ApplicationStatus.IN_REVIEW, submitted_at__isnull=True
        )
        .select_related("application__organisation", "expert")
        .order_by("application_id", "expert_id")
    ):
        waiting.setdefault(assignment.application_id, (assignment.application, []))[1].append(assignment.expert)
    for application in Application.objects.filter(call=call, status=ApplicationStatus.IN_REVIEW).exclude(
        pk__in=list(waiting)
    ):
        waiting[application.pk] = (application, [])
    return list(waiting.values())


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
    notify("review.assigned", to=experts, context={"call": application.call})
    return made


SCORE_STEP = Decimal("0.1")


def score_value(raw) -> Decimal | None:
    """A criterion score as stored (one decimal, half up), or None when it is not a number from 0 to 10. The
    weighted total is computed from the stored values, so the scores shown and the ranking always agree."""
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (ArithmeticError, ValueError, TypeError):
        return None
    if not value.is_finite():
        return None
    value = value.quantize(SCORE_STEP, rounding=ROUND_HALF_UP)
    return value if 0 <= value <= MAX_SCORE else None


def weighted_total(criteria, values: dict[int, Decimal]) -> Decimal:
    """The 0-100 total of one expert's scores: each criterion's score out of 10 times its weight."""
    return _money(sum((values[c.pk] / MAX_SCORE * c.weight for c in criteria if c.pk in values), Decimal(0)))


def assign_many(*, actor, applications: list[Application], experts: list[User]) -> int:
    """Assign the same experts to several applications, all or none; the refusals name each application."""
    if not applications or not experts:
        raise ValidationError(_("Choose the applications and the experts first."))
    made = 0
    with transaction.atomic():
        for application in applications:
            try:
                made += len(assign_experts(actor=actor, application=application, experts=experts))
            except (ValidationError, TransitionError) as refused:
                messages = refused.messages
                raise ValidationError([f"{application}: {m}" for m in messages]) from None
    return made


def assignments_for(expert: User):
    """What an expert may see: their own assignments only."""
    return Assignment.objects.filter(expert=expert).select_related("application__call", "application__organisation")


def _read_scores(criteria, scores: dict[int, tuple], *, complete: bool) -> dict[int, Decimal]:
    """The stored value of each score given; every criterion must be scored when ``complete``."""
    problems, values = [], {}
    for criterion in criteria:
        raw = str((scores.get(criterion.pk) or ("",))[0]).strip()
        if not raw:
            if complete:
                problems.append(_("Score “%(criterion)s”.") % {"criterion": criterion.name})
            continue
        value = score_value(raw)
        if value is None:
            problems.append(
                _("The score for “%(criterion)s” must be a number from 0 to 10.") % {"criterion": criterion.name}
            )
        values[criterion.pk] = value
    if problems:
        raise ValidationError(problems)
    return values


def _locked_for_scoring(assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("application").get(pk=assignment.pk)
    if locked.submitted_at:
        raise TransitionError(_("Your scores for this application are already submitted."))
    if locked.application.status != ApplicationStatus.IN_REVIEW:
        raise TransitionError(_("This application is no longer in review."))
    return locked


def _write_scores(locked: Assignment, criteria, values, scores, comment: str) -> None:
    locked.scores.all().delete()  # the previous draft, if any
    Score.objects.bulk_create(
        Score(assignment=locked, criterion=c, value=values[c.pk], comment=_comment_of(scores, c.pk))
        for c in criteria
        if c.pk in values
    )
    locked.comment = (comment or "").strip()


def _comment_of(scores, pk) -> str:
    row = scores.get(pk) or ()
    return str(row[1]).strip() if len(row) > 1 else ""


def _criteria_for(actor, assignment: Assignment) -> list[Criterion]:
    if actor is None or assignment.expert_id != actor.pk:
        raise PermissionDenied(_("Only the assigned expert scores this application."))
    return list(Criterion.objects.filter(call_id=assignment.application.call_id))


def save_score_draft(*, actor, assignment: Assignment, scores: dict[int, tuple], comment: str = "") -> Assignment:
    """An expert keeps what they have scored so far (any criterion may still be empty); nobody else sees a
    draft, and nothing counts until submitted."""
    criteria = _criteria_for(actor, assignment)
    values = _read_scores(criteria, scores, complete=False)
    with transaction.atomic():
        locked = _locked_for_scoring(assignment)
        _write_scores(locked, criteria, values, scores, comment)
        locked.save(update_fields=["comment"])
    return locked


def submit_scores(*, actor, assignment: Assignment, scores: dict[int, tuple], comment: str = "") -> Assignment:
    """``scores`` maps criterion id to (value 0-10, comment). All criteria at once; submitted once."""
    criteria = _criteria_for(actor, assignment)
    values = _read_scores(criteria, scores, complete=True)
    with transaction.atomic():
        locked = _locked_for_scoring(assignment)
        _write_scores(locked, criteria, values, scores, comment)
        locked.total = weighted_total(criteria, values)
        locked.submitted_at = timezone.now()
        locked.save()
        record_event(actor=actor, action="assignment.scored", subject=locked.application)
        _reviewed_if_complete(locked.application)
    return locked


def scores_visible_to(expert: User, application: Application):
    """An expert sees the others' scores only after submitting their own."""
    mine = Assignment.objects.filter(application=application, expert=expert).first()
    if mine is None:
        raise PermissionDenied(_("You are not assigned to this application."))
    if not mine.submitted_at:
        return Score.objects.filter(assignment=mine)
    return Score.objects.filter(assignment__application=application).select_related("criterion", "assignment")

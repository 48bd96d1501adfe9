"""Expert review (专家评审): conflicts of interest, assignments, scores and who may see them."""

from __future__ import annotations

from decimal import Decimal

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
        Assignment.objects.filter(
            expert=actor, application__organisation=organisation, submitted_at__isnull=True
        ).delete()
        record_event(actor=actor, action="application.conflict_declared", subject=application, reason=reason)
    notify(
        "review.conflict_declared",
        to=operators(),
        context={"application": application, "expert": actor, "reason": reason},
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
    notify("review.assigned", to=experts, context={"call": application.call})
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

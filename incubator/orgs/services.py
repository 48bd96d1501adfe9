"""Rules for organisations, their accounts, their incubation and their activity."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator import showcase
from incubator.accounts.models import User
from incubator.accounts.roles import Role, ensure_roles
from incubator.accounts.tokens import hub_token_generator
from incubator.audit.services import record_event
from incubator.notifications.services import notify
from incubator.orgs.models import (
    Activity,
    Incubation,
    IncubationStatus,
    Membership,
    Milestone,
    Organisation,
    Verification,
)
from incubator.orgs.selectors import members_of
from incubator.permissions import OPERATORS, is_operator, operators, require_can_act_for
from incubator.workflow import Transition, TransitionError, Workflow, run_transition

EDITABLE_BY_MEMBERS = (
    "name", "service_fields", "community", "responsible_person", "contact_phone", "contact_email", "address",
    "founded_on", "members", "volunteers", "description", "listed_publicly",
    "bank_account_name", "bank_name", "bank_account_number",
)  # fmt: skip


def organisations_of(user):
    """The organisations a portal user acts for; operators act for all."""
    if is_operator(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=user)


def touch(organisation: Organisation) -> None:
    """Something happened: the organisation is active again."""
    Organisation.objects.filter(pk=organisation.pk).update(last_activity_at=timezone.now(), flagged_inactive_at=None)


@transaction.atomic
def create_organisation(*, actor, **fields) -> Organisation:
    if actor is not None and not is_operator(actor):
        raise PermissionDenied(_("Only hub operators add organisations directly."))
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.last_activity_at = timezone.now()
    organisation.save()
    record_event(actor=actor, action="organisation.created", subject=organisation)
    showcase.changed()  # the directory lists organisations
    return organisation


@transaction.atomic
def update_profile(*, actor, organisation: Organisation, **fields) -> Organisation:
    """Members edit their own profile; the legal form, code and 1+n+x tier stay with operators."""
    require_can_act_for(actor, organisation)
    allowed = None if is_operator(actor) else set(EDITABLE_BY_MEMBERS)
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name, value in fields.items():
        if allowed is not None and name not in allowed:
            raise PermissionDenied(_("Only hub operators may change “%(field)s”.") % {"field": name})
        setattr(locked, name, value)
    locked.full_clean()
    locked.last_activity_at = timezone.now()
    locked.flagged_inactive_at = None
    locked.save()
    record_event(actor=actor, action="organisation.updated", subject=locked, reason=", ".join(sorted(fields)))
    showcase.changed()
    return locked


@transaction.atomic
def register_organisation_account(*, email: str, password: str, full_name: str, **organisation_fields):
    """Portal sign-up: a person's account (inactive until they follow the link e-mailed to them), their
    organisation (pending the hub's review), membership.

    The e-mail is checked last and its answer never shown: whether the address already has an account here,
    the person is told the same thing, and the address's owner gets an e-mail saying so. Returns the new
    user, or ``None`` when the address was taken (its owner has been written to instead).
    """
    email = (email or "").strip().lower()
    errors = {}
    user = User(email=email, first_name=full_name, is_active=False)
    try:
        user.full_clean(exclude=["password", "email"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        User._meta.get_field("email").clean(email, user)
    except ValidationError as exc:
        errors["email"] = exc.messages
    organisation = Organisation(**organisation_fields)
    try:
        organisation.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    from incubator.accounts.tasks import send_account_email

    existing = User.objects.filter(email=email).first()
    if existing is not None:
        # Not yet confirmed: the link again. Otherwise a note that the account exists (sign in or reset).
        kind = "confirm_signup" if existing.last_login is None and not existing.is_active else "already_registered"
        transaction.on_commit(
            lambda: send_account_email.apply_async(
                args=[existing.pk, kind], headers={"_schema_name": connection.schema_name}
            )
        )
        return None
    with transaction.atomic():
        user.set_password(password)
        user.save()
        user.groups.add(ensure_roles()[Role.ORGANISATION_MEMBER])
        organisation.last_activity_at = timezone.now()
        organisation.verification = Verification.UNVERIFIED  # until an operator checks it and its code
        organisation.save()
        Membership.objects.create(user=user, organisation=organisation)
        record_event(
            actor=user, action="organisation.signed_up", subject=organisation, to_state=Verification.UNVERIFIED
        )
        notify(
            "organisation.signed_up",
            to=operators(),
            context={"organisation": organisation.name, "legal_form": organisation.get_legal_form_display()},
        )
        showcase.changed()
    transaction.on_commit(
        lambda: send_account_email.apply_async(
            args=[user.pk, "confirm_signup"], headers={"_schema_name": connection.schema_name}
        )
    )
    return user


def confirm_signup(*, uidb64: str, token: str) -> User | None:
    """Activate the account whose e-mailed link this is; ``None`` for a wrong, used or expired link."""
    from django.utils.encoding import force_str
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk).first()
        if user is None or user.is_active or not hub_token_generator.check_token(user, token):
            return None
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event(actor=user, action="account.confirmed", subject=user)
    return user


# --- Verification (核实) ------------------------------------------------------------------------------------

VERIFICATION = Workflow(
    name="organisation",
    states=Verification,
    status_field="verification",
    transitions=[
        Transition("verify", (Verification.UNVERIFIED,), Verification.VERIFIED, OPERATORS, gettext_lazy("Verify")),
        Transition(
            "unverify",
            (Verification.VERIFIED,),
            Verification.UNVERIFIED,
            OPERATORS,
            gettext_lazy("Withdraw the verification"),
            needs_reason=True,
        ),
    ],
)


def verify_organisation(*, actor, organisation: Organisation, reason: str = "") -> Organisation:
    """The operator has compared the organisation and its code with its certificate: it may now be funded."""

    def guard(locked):
        try:
            locked.full_clean()  # the code checks out and matches the legal form
        except ValidationError as exc:
            raise TransitionError(" ".join(exc.messages)) from None
        if locked.is_registered and not locked.uscc:
            raise TransitionError(_("Add the organisation's Unified Social Credit Code before verifying it."))

    return run_transition(
        workflow=VERIFICATION,
        obj=organisation,
        name="verify",
        actor=actor,
        reason=reason,
        guard=guard,
        notify=lambda locked: notify(
            "organisation.verified", to=members_of(locked), context={"organisation": locked.name}
        ),
    )


def withdraw_verification(*, actor, organisation: Organisation, reason: str) -> Organisation:
    """A verification given by mistake is taken back, with the reason; the organisation cannot be funded until
    it is verified again."""
    return run_transition(workflow=VERIFICATION, obj=organisation, name="unverify", actor=actor, reason=reason)


# --- Incubation -------------------------------------------------------------------------------------

INCUBATION = Workflow(
    name="incubation",
    states=IncubationStatus,
    transitions=[
        Transition("admit", ("applied",), "incubating", OPERATORS, gettext_lazy("Admit to incubation")),
        Transition("decline", ("applied",), "declined", OPERATORS, gettext_lazy("Decline"), needs_reason=True),
        Transition("graduate", ("incubating",), "graduated", OPERATORS, gettext_lazy("Graduate")),
        Transition("exit", ("incubating",), "exited", OPERATORS, gettext_lazy("Exit"), needs_reason=True),
    ],
)


@transaction.atomic
def apply_for_incubation(*, actor, organisation: Organisation, needs: str, plans: str = "") -> Incubation:
    require_can_act_for(actor, organisation)
    if not (needs or "").strip():
        raise ValidationError({"needs": [_("Tell the hub what your organisation needs from it.")]})
    if Incubation.objects.filter(organisation=organisation, status__in=["applied", "incubating"]).exists():
        raise TransitionError(_("%(organisation)s already has an open incubation.") % {"organisation": organisation})
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            incubation = Incubation.objects.create(organisation=organisation, needs=needs, plans=plans)
    except IntegrityError:  # a second click that raced the first
        raise TransitionError(
            _("%(organisation)s already has an open incubation.") % {"organisation": organisation}
        ) from None
    touch(organisation)
    record_event(actor=actor, action="incubation.applied", subject=incubation, to_state="applied")
    notify("incubation.applied", to=operators(), context={"organisation": organisation.name})
    return incubation


def admit(
    *, actor, incubation: Incubation, cohort, space: str = "", mentor=None, started_on=None, reason: str = ""
) -> Incubation:
    def guard(locked):
        if cohort is None:
            raise TransitionError(_("Choose the cohort the organisation joins."))

    def apply(locked):
        locked.cohort, locked.space, locked.mentor = cohort, space, mentor
        locked.started_on = started_on or timezone.localdate()

    return _incubation_step(actor, incubation, "admit", reason, guard, apply)


def decline(*, actor, incubation: Incubation, reason: str) -> Incubation:
    return _incubation_step(actor, incubation, "decline", reason, None, _set_outcome(reason))


def graduate(*, actor, incubation: Incubation, reason: str = "") -> Incubation:
    def guard(locked):
        open_milestones = list(locked.milestones.filter(done_on__isnull=True).values_list("title", flat=True))
        if open_milestones:
            raise TransitionError(
                _("Graduation needs every milestone done; still open: %(titles)s.")
                % {"titles": "、".join(open_milestones)}
            )

    def apply(locked):
        _set_outcome(reason)(locked)
        locked.ended_on = timezone.localdate()

    return _incubation_step(actor, incubation, "graduate", reason, guard, apply)


def exit_incubation(*, actor, incubation: Incubation, reason: str) -> Incubation:
    def apply(locked):
        _set_outcome(reason)(locked)
        locked.ended_on = timezone.localdate()

    return _incubation_step(actor, incubation, "exit", reason, None, apply)


def _set_outcome(reason):
    def apply(locked):
        locked.outcome_note = reason

    return apply


def _incubation_step(actor, incubation, name, reason, guard, apply):
    def tell(locked):
        notify(
            "incubation.changed",
            to=members_of(locked.organisation),
            context={
                "organisation": locked.organisation.name,
                "state": IncubationStatus(locked.status).label,
                "reason": reason,
            },
            kind="decision" if name in ("admit", "decline", "exit") else "status",
        )

    return run_transition(
        workflow=INCUBATION,
        obj=incubation,
        name=name,
        actor=actor,
        reason=reason,
        guard=guard,
        apply=apply,
        notify=tell,
    )


INCUBATION_DETAILS = ("needs", "plans", "space", "mentor")


def update_incubation(*, actor, incubation: Incubation, **fields) -> Incubation:
    """Operators correct an incubation's needs, plans, space or mentor; its state moves only by its workflow."""
    if not is_operator(actor):
        raise PermissionDenied(_("Only hub operators change an incubation."))
    unknown = set(fields) - set(INCUBATION_DETAILS)
    if unknown:
        raise TransitionError(_("The state of an incubation changes only through its actions."))
    with transaction.atomic():
        locked = Incubation.objects.select_for_update().get(pk=incubation.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        if fields:
            record_event(actor=actor, action="incubation.updated", subject=locked, reason=", ".join(sorted(fields)))
    return locked


# Milestones are audited on their incubation, so that its history tells the whole story.


def _require_incubating(actor, incubation: Incubation) -> None:
    if not is_operator(actor):
        raise PermissionDenied(_("Only hub operators set milestones."))
    if incubation.status != IncubationStatus.INCUBATING:
        raise TransitionError(_("Milestones belong to an organisation that is incubating."))


def add_milestone(*, actor, incubation: Incubation, title: str, due_on: datetime.date) -> Milestone:
    _require_incubating(actor, incubation)
    milestone = Milestone(incubation=incubation, title=(title or "").strip(), due_on=due_on)
    milestone.full_clean()
    with transaction.atomic():
        milestone.save()
        record_event(actor=actor, action="milestone.added", subject=incubation, reason=f"{milestone.title} ({due_on})")
    return milestone


def complete_milestone(*, actor, milestone: Milestone, done_on=None) -> Milestone:
    require_can_act_for(actor, milestone.incubation.organisation)
    if milestone.incubation.status != IncubationStatus.INCUBATING:
        raise TransitionError(_("Milestones belong to an organisation that is incubating."))
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("A milestone cannot be done in the future.")]})
    with transaction.atomic():
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        record_event(
            actor=actor, action="milestone.done", subject=milestone.incubation, reason=f"{milestone.title} ({done_on})"
        )
    touch(milestone.incubation.organisation)
    return milestone


def reopen_milestone(*, actor, milestone: Milestone) -> Milestone:
    """Undo a milestone marked done by mistake."""
    _require_incubating(actor, milestone.incubation)
    if milestone.done_on is None:
        raise TransitionError(_("This milestone is not done."))
    with transaction.atomic():
        milestone.done_on = None
        milestone.save(update_fields=["done_on"])
        record_event(actor=actor, action="milestone.reopened", subject=milestone.incubation, reason=milestone.title)
    return milestone


def remove_milestone(*, actor, milestone: Milestone) -> None:
    """Remove a milestone set by mistake (one not done yet)."""
    _require_incubating(actor, milestone.incubation)
    if milestone.done_on is not None:
        raise TransitionError(_("A milestone that is done stays on record; reopen it first."))
    with transaction.atomic():
        record_event(actor=actor, action="milestone.removed", subject=milestone.incubation, reason=milestone.title)
        milestone.delete()


def record_activity(*, actor, organisation: Organisation, held_on, title: str, participants: int = 0) -> Activity:
    require_can_act_for(actor, organisation)
    activity = Activity.objects.create(
        organisation=organisation, held_on=held_on, title=title, participants=participants
    )
    touch(organisation)
    return activity


def flag_inactive_organisations(*, now=None) -> int:
    """Flag organisations with no activity for the hub's configured time (run daily by beat)."""
    from incubator.areas.models import CoverageTargets

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=CoverageTargets.load().inactive_after_days)
    from django.db.models import Q

    stale = Organisation.objects.filter(flagged_inactive_at__isnull=True).filter(
        Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    )
    return stale.update(flagged_inactive_at=now)

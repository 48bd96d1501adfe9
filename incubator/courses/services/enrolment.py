"""Enrolment (报名) and the waitlist (候补) that runs itself.

Every seat decision locks the session's row first (``SELECT … FOR UPDATE`` inside the hub's schema; an
advisory lock keyed by the id would collide across hubs, whose ids repeat): two people enrolling at the last
seat queue on that lock, the second sees the seat taken and joins the waitlist. The waitlist is served in
strict order of joining: a freed seat (a cancellation, a removal, more seats, an offer not taken) is offered
to the first person waiting, who has the course's ``offer_hours`` to accept by the link in their e-mail;
meanwhile the seat is held for them, so nobody overtakes.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.audit.services import record_event
from incubator.courses.models import (
    ACTIVE,
    HOLDS_A_SEAT,
    CourseStatus,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Participant,
    PersonRole,
    Session,
    SessionStatus,
)
from incubator.fields import mobile_phone
from incubator.notifications.services import notify_address
from incubator.permissions import OPERATORS, ORGANISATION_PEOPLE, can_act_for, is_operator
from incubator.workflow import Transition, TransitionError, Workflow, run_transition

S = EnrolmentStatus
ENROLMENT = Workflow(
    name="enrolment",
    states=EnrolmentStatus,
    transitions=[
        # Taken by the waitlist itself (system), or by a person through the link of their offer.
        Transition("offer", (S.WAITLISTED,), S.OFFERED, OPERATORS, gettext_lazy("Offer the freed seat")),
        Transition("accept", (S.OFFERED,), S.ENROLLED, ORGANISATION_PEOPLE, gettext_lazy("Accept the seat")),
        Transition("expire", (S.OFFERED,), S.EXPIRED, OPERATORS, gettext_lazy("Offer not taken in time")),
        Transition("decline", (S.OFFERED,), S.CANCELLED, ORGANISATION_PEOPLE, gettext_lazy("Decline the offered seat")),
        Transition("cancel", ACTIVE, S.CANCELLED, ORGANISATION_PEOPLE, gettext_lazy("Cancel the enrolment")),
        Transition(
            "promote", (S.WAITLISTED,), S.ENROLLED, OPERATORS, gettext_lazy("Give a seat ahead of the list"), True
        ),
        Transition("remove", ACTIVE, S.REMOVED, OPERATORS, gettext_lazy("Remove from the session"), True),
    ],
)


# --- People ------------------------------------------------------------------------------------------------


def participant_for(*, actor, name: str, phone: str, role: str, organisation=None, email: str = "", language=""):
    """The participant with this mobile number, created or brought up to date. An organisation enrols its own
    people: a number already known as another organisation's person is refused (the hub can move them)."""
    problems: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        problems["name"] = [_("Give the person's name.")]
    elif len(name) > Participant._meta.get_field("name").max_length:
        problems["name"] = [_("At most 50 characters.")]
    try:
        phone = mobile_phone(phone)
    except ValidationError as exc:
        problems["phone"] = exc.messages
    if role not in PersonRole.values:
        problems["role"] = [_("Choose the person's role.")]
    if problems:
        raise ValidationError(problems)
    existing = Participant.objects.filter(phone=phone).first()
    if existing is not None:
        moved = organisation is not None and existing.organisation_id not in (None, organisation.pk)
        if moved and not is_operator(actor):
            raise ValidationError(
                {"phone": [_("This number belongs to a person of another organisation: ask the hub to move them.")]}
            )
        existing.name, existing.role = name, role
        if organisation is not None:
            existing.organisation = organisation
        if email:
            existing.email = email
        if language:
            existing.language = language
        existing.full_clean()
        existing.save()
        return existing
    person = Participant(
        name=name, phone=phone, role=role, organisation=organisation, email=email, language=language or "zh-hans"
    )
    person.full_clean()
    person.save()
    return person


# --- Enrolling ---------------------------------------------------------------------------------------------


def _require_may_enrol(actor, participant: Participant, source: str) -> None:
    if source == EnrolmentSource.PUBLIC:
        return  # the public form: the course must allow it (checked with the session)
    if participant.organisation is None:
        if not is_operator(actor):
            raise PermissionDenied(_("Only the hub enrols people outside an organisation."))
    elif not can_act_for(actor, participant.organisation):
        raise PermissionDenied(_("You do not act for this person's organisation."))


def enrol(*, actor, session: Session, participant: Participant, source: str = EnrolmentSource.PORTAL) -> Enrolment:
    """A seat if one is free and nobody waits for it, else a place at the end of the waitlist."""
    _require_may_enrol(actor, participant, source)
    with transaction.atomic():
        locked = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
        course = locked.course
        if course.status != CourseStatus.PUBLISHED or locked.status != SessionStatus.SCHEDULED:
            raise TransitionError(_("This session does not take enrolments."))
        if locked.starts_at <= timezone.now():
            raise TransitionError(_("This session has started: enrolment is closed."))
        if source == EnrolmentSource.PUBLIC and not course.public_enrolment:
            raise PermissionDenied(_("This course takes enrolments from organisations only."))
        active = locked.enrolments.filter(status__in=ACTIVE)
        if active.filter(participant=participant).exists():
            raise ValidationError(
                {"phone": [_("%(name)s is enrolled in this session already.") % {"name": participant.name}]}
            )
        cap = course.seats_per_organisation
        if cap and participant.organisation_id and not is_operator(actor):
            taken = active.filter(participant__organisation_id=participant.organisation_id).count()
            if taken >= cap:
                raise ValidationError(
                    _("Each organisation may enrol at most %(cap)d people in a session of this course.") % {"cap": cap}
                )
        seats_held = active.filter(status__in=HOLDS_A_SEAT).count()
        waiting = active.filter(status=S.WAITLISTED).exists()
        status = S.ENROLLED if seats_held < locked.capacity and not waiting else S.WAITLISTED
        enrolment = Enrolment.objects.create(
            session=locked,
            participant=participant,
            status=status,
            source=source,
            enrolled_by=actor if actor is not None and actor.is_authenticated else None,
        )
        record_event(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action="enrolment.created",
            subject=enrolment,
            to_state=status,
            reason=str(locked),
        )
        _tell(enrolment, "course.enrolled")
    return enrolment


def enrol_in_course(*, actor, course, participant: Participant, source: str = EnrolmentSource.PORTAL) -> list:
    """Every session of the course still to come, each a seat or a place in its waitlist."""
    sessions = course.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now())
    with transaction.atomic():
        return [
            enrol(actor=actor, session=session, participant=participant, source=source)
            for session in sessions
            if not session.enrolments.filter(participant=participant, status__in=ACTIVE).exists()
        ]


def fill_seats(session: Session) -> list[Enrolment]:
    """Offer the free seats of a locked session to the people waiting, first joined first. Call it inside
    the transaction that freed them, with the session's row locked."""
    offered = []
    free = session.capacity - session.enrolments.filter(status__in=HOLDS_A_SEAT).count()
    if free <= 0 or session.status != SessionStatus.SCHEDULED or session.starts_at <= timezone.now():
        return offered
    for waiting in session.enrolments.filter(status=S.WAITLISTED).order_by("joined_at", "id")[:free]:
        hours = session.course.offer_hours
        # Never past the session's start: an offer that outlives it is no offer.
        expires = min(timezone.now() + datetime.timedelta(hours=hours), session.starts_at)

        def apply(locked, expires=expires):
            locked.offer_token = secrets.token_urlsafe(24)
            locked.offer_expires_at = expires

        offered.append(
            run_transition(
                workflow=ENROLMENT,
                obj=waiting,
                name="offer",
                actor=None,
                system=True,
                reason=_("A seat was freed."),
                apply=apply,
                notify=lambda locked: _tell(locked, "course.offer"),
            )
        )
    return offered


def _freeing(enrolment: Enrolment, name: str, *, actor, reason: str = "", system: bool = False) -> Enrolment:
    """Take a transition that frees what the enrolment held, then offer the seat on."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("course").get(pk=enrolment.session_id)
        done = run_transition(workflow=ENROLMENT, obj=enrolment, name=name, actor=actor, reason=reason, system=system)
        fill_seats(session)
    return done


def cancel_enrolment(*, actor, enrolment: Enrolment) -> Enrolment:
    """The organisation (or the hub) takes its person off the session; a held seat goes to the first waiting."""
    participant = enrolment.participant
    if participant.organisation is None and not is_operator(actor):
        raise PermissionDenied(_("Only the hub changes enrolments of people outside an organisation."))
    if participant.organisation is not None and not can_act_for(actor, participant.organisation):
        raise PermissionDenied(_("You do not act for this person's organisation."))
    done = _freeing(enrolment, "cancel", actor=actor)
    _tell(done, "course.enrolment_cancelled")
    return done


def remove_enrolment(*, actor, enrolment: Enrolment, reason: str) -> Enrolment:
    done = _freeing(enrolment, "remove", actor=actor, reason=reason)
    _tell(done, "course.enrolment_cancelled", reason=reason)
    return done


def promote(*, actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """The hub gives a waiting person a free seat ahead of the list (with a reason); never past the seats."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=enrolment.session_id)

        def guard(locked):
            held = session.enrolments.filter(status__in=HOLDS_A_SEAT).count()
            if held >= session.capacity:
                raise TransitionError(_("The session is full: add seats first, then give this person one."))

        done = run_transition(
            workflow=ENROLMENT, obj=enrolment, name="promote", actor=actor, reason=reason, guard=guard
        )
    _tell(done, "course.enrolled")
    return done


def offer_by_token(token: str) -> Enrolment | None:
    if not token or len(token) > 64:
        return None
    return Enrolment.objects.select_related("session__course", "participant").filter(offer_token=token).first()


def accept_offer(*, token: str) -> Enrolment:
    """The person offered a seat takes it, by the link in their e-mail (no account needed)."""
    enrolment = offer_by_token(token)
    if enrolment is None:
        raise TransitionError(_("This link is not valid."))

    def guard(locked):
        if locked.offer_expires_at and locked.offer_expires_at <= timezone.now():
            raise TransitionError(_("This offer has expired: the seat went to the next person waiting."))

    with transaction.atomic():
        Session.objects.select_for_update().filter(pk=enrolment.session_id).exists()
        return run_transition(
            workflow=ENROLMENT,
            obj=enrolment,
            name="accept",
            actor=None,
            system=True,
            reason=_("Accepted by the link of the offer."),
            guard=guard,
        )


def decline_offer(*, token: str) -> Enrolment:
    enrolment = offer_by_token(token)
    if enrolment is None:
        raise TransitionError(_("This link is not valid."))
    return _freeing(enrolment, "decline", actor=None, system=True, reason=_("Declined by the link of the offer."))


def expire_offers(now: datetime.datetime | None = None) -> int:
    """Offers past their time pass to the next person waiting (run every few minutes by Celery beat)."""
    now = now or timezone.now()
    expired = 0
    for enrolment in Enrolment.objects.filter(status=S.OFFERED, offer_expires_at__lte=now).order_by("id"):
        try:
            _freeing(enrolment, "expire", actor=None, system=True, reason=_("The offer was not taken in time."))
        except TransitionError:
            continue  # accepted meanwhile
        _tell(enrolment, "course.offer_expired")
        expired += 1
    return expired


# --- Telling people ------------------------------------------------------------------------------------------


def _tell(enrolment: Enrolment, event: str, **extra) -> None:
    from django.db import connection

    participant = enrolment.participant
    if not participant.email:
        return
    hub = getattr(connection, "tenant", None)
    from django.urls import reverse

    token = enrolment.offer_token
    offer_url = hub.primary_url(reverse("course_offer", args=[token])) if token and hub else ""
    notify_address(
        event,
        address=participant.email,
        language=participant.language,
        context={
            "name": participant.name,
            "course": enrolment.session.course.title,
            "session": enrolment.session,
            "starts_at": timezone.localtime(enrolment.session.starts_at),
            "venue": enrolment.session.venue or enrolment.session.online_url,
            "status": enrolment.get_status_display(),
            "offer_url": offer_url,
            "offer_expires_at": timezone.localtime(enrolment.offer_expires_at) if enrolment.offer_expires_at else None,
            **extra,
        },
    )


def tell_cancelled(enrolment: Enrolment, reason: str) -> None:
    _tell(enrolment, "course.session_cancelled", reason=reason)


# --- Reminders -----------------------------------------------------------------------------------------------

SOON = datetime.timedelta(hours=2)


def send_reminders(now: datetime.datetime | None = None) -> int:
    """E-mail everyone holding a seat the day before their session and again two hours before (run every
    quarter of an hour by Celery beat, per hub); each reminder once."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    sent = 0
    due = {
        "reminded_day_before": Enrolment.objects.filter(
            session__starts_at__date=tomorrow, reminded_day_before=False, reminded_soon=False
        ),
        "reminded_soon": Enrolment.objects.filter(
            session__starts_at__gt=now, session__starts_at__lte=now + SOON, reminded_soon=False
        ),
    }
    for flag, enrolments in due.items():
        rows = enrolments.filter(
            status=S.ENROLLED, session__status=SessionStatus.SCHEDULED, session__course__status=CourseStatus.PUBLISHED
        ).select_related("participant", "session__course")
        for enrolment in rows:
            with transaction.atomic():
                # Claimed before the mail is queued: two runs at once send one reminder.
                if not Enrolment.objects.filter(pk=enrolment.pk, **{flag: False}).update(**{flag: True}):
                    continue
                _tell(enrolment, "course.reminder", soon=flag == "reminded_soon")
                sent += 1
    return sent

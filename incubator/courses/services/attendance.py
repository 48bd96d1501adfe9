"""Sign-in (签到) and attendance: a QR code per session that rotates and is only good on the session's day,
confirmed with the person's mobile number; a roster marked by operators and trainers; minutes attended.

The QR code is an HMAC of the session's secret and a time window (``ROTATE_MINUTES``), so a photo of the
screen signs nobody in an hour later, let alone the next day; the code of the window before is still taken
(a person who scanned just before it turned). Sign-in is open from ``OPEN_BEFORE`` before the start to the end.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.audit.actions import declare_states
from incubator.audit.services import record_event
from incubator.courses.models import (
    PARTIAL,
    Attendance,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    Participant,
    PersonRole,
    Session,
    SessionStatus,
    SignInMethod,
)
from incubator.fields import mobile_phone
from incubator.permissions import require_operator
from incubator.workflow import TransitionError

ROTATE_MINUTES = 10
OPEN_BEFORE = datetime.timedelta(minutes=30)
LATE_AFTER = datetime.timedelta(minutes=15)  # signing in later than this counts as late, minutes from then

declare_states("attendance", AttendanceStatus.choices)


def _window(moment: datetime.datetime) -> int:
    return int(moment.timestamp() // (ROTATE_MINUTES * 60))


def sign_in_code(session: Session, moment: datetime.datetime | None = None) -> str:
    """The code the session's QR shows now (or at ``moment``)."""
    moment = moment or timezone.now()
    day = timezone.localtime(moment).date().isoformat()
    message = f"{session.pk}:{day}:{_window(moment)}".encode()
    return hmac.new(session.sign_in_secret.encode(), message, hashlib.sha256).hexdigest()[:16]


def code_is_current(session: Session, code: str, moment: datetime.datetime | None = None) -> bool:
    moment = moment or timezone.now()
    earlier = moment - datetime.timedelta(minutes=ROTATE_MINUTES)
    same_day = timezone.localtime(earlier).date() == timezone.localtime(moment).date()
    candidates = [sign_in_code(session, moment)] + ([sign_in_code(session, earlier)] if same_day else [])
    return any(hmac.compare_digest(code or "", candidate) for candidate in candidates)


def sign_in_open(session: Session, moment: datetime.datetime | None = None) -> bool:
    moment = moment or timezone.now()
    return session.status == SessionStatus.SCHEDULED and session.starts_at - OPEN_BEFORE <= moment <= session.ends_at


def _minutes_from(session: Session, moment: datetime.datetime) -> tuple[str, int]:
    if moment <= session.starts_at + LATE_AFTER:
        return AttendanceStatus.PRESENT, session.minutes
    return AttendanceStatus.LATE, max(0, int((session.ends_at - moment).total_seconds() // 60))


def sign_in(*, session: Session, code: str, phone: str, name: str = "") -> Attendance:
    """A person scans the session's QR code and confirms with their mobile number. Someone not on the roster
    gives their name too and is recorded as a walk-in. Signing in twice changes nothing."""
    now = timezone.now()
    if not code_is_current(session, code, now):
        raise TransitionError(_("This QR code is out of date or belongs to another session: scan the one shown now."))
    if not sign_in_open(session, now):
        raise TransitionError(_("Sign-in for this session is closed."))
    try:
        phone = mobile_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        participant = Participant.objects.filter(phone=phone).first()
        on_roster = (
            participant is not None
            and locked.enrolments.filter(participant=participant, status=EnrolmentStatus.ENROLLED).exists()
        )
        if participant is None:
            name = (name or "").strip()
            if not name:
                raise ValidationError({"name": [_("You are not on the list of this session: give your name.")]})
            participant = Participant(name=name[:50], phone=phone, role=PersonRole.RESIDENT)
            participant.full_clean()
            participant.save()
        existing = Attendance.objects.filter(session=locked, participant=participant).first()
        if existing is not None and existing.signed_in_at:
            return existing
        status, minutes = _minutes_from(locked, now)
        attendance, _created = Attendance.objects.update_or_create(
            session=locked,
            participant=participant,
            defaults={
                "status": status,
                "minutes": minutes,
                "walk_in": not on_roster,
                "method": SignInMethod.QR,
                "signed_in_at": now,
            },
        )
        record_event(actor=None, action="attendance.signed_in", subject=attendance, to_state=status, reason=str(locked))
    return attendance


def mark_attendance(
    *, actor, session: Session, participant: Participant, status: str, minutes: int | None = None
) -> Attendance:
    """The roster: an operator (or the session's trainer) marks a person present, late, left early, excused or
    absent. Late and left early need the minutes attended, fewer than the session's."""
    require_operator(actor)
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": [_("Choose how the person attended.")]})
    if status in PARTIAL:
        if minutes is None or not 0 < minutes < session.minutes:
            raise ValidationError(
                {"minutes": [_("Give the minutes attended, between 1 and %(max)d.") % {"max": session.minutes - 1}]}
            )
    elif status == AttendanceStatus.PRESENT:
        minutes = session.minutes
    else:
        minutes = 0
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status == SessionStatus.CANCELLED:
            raise TransitionError(_("This session was cancelled."))
        if locked.starts_at - OPEN_BEFORE > timezone.now():
            raise TransitionError(_("The session has not started: attendance is marked on the day."))
        previous = Attendance.objects.filter(session=locked, participant=participant).first()
        on_roster = Enrolment.objects.filter(
            session=locked, participant=participant, status=EnrolmentStatus.ENROLLED
        ).exists()
        attendance, _created = Attendance.objects.update_or_create(
            session=locked,
            participant=participant,
            defaults={
                "status": status,
                "minutes": minutes,
                "walk_in": not on_roster,
                "method": previous.method if previous else SignInMethod.ROSTER,
                "recorded_by": actor,
            },
        )
        before = f"{previous.get_status_display()} {previous.minutes}" if previous else "—"
        record_event(
            actor=actor,
            action="attendance.marked",
            subject=attendance,
            from_state=previous.status if previous else "",
            to_state=status,
            reason=f"{participant}: {before} → {attendance.get_status_display()} {minutes}",
        )
    return attendance

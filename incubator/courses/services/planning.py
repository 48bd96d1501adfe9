"""Planning training: courses, their sessions and series of sessions, publishing and cancelling.

Operators plan; a course is drafted, published (then the showcase and the portal show it) or cancelled with
a reason, which cancels every session still to come and tells everyone enrolled.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from incubator.audit.services import record_event
from incubator.courses.models import (
    ACTIVE,
    HOLDS_A_SEAT,
    Course,
    CourseStatus,
    EnrolmentStatus,
    Session,
    SessionStatus,
)
from incubator.permissions import OPERATORS, require_operator
from incubator.workdays import is_statutory_holiday
from incubator.workflow import Transition, TransitionError, Workflow, run_transition

COURSE = Workflow(
    name="course",
    states=CourseStatus,
    transitions=[
        Transition(
            "publish", (CourseStatus.DRAFT,), CourseStatus.PUBLISHED, OPERATORS, pgettext_lazy("course", "Publish")
        ),
        Transition(
            "unpublish", (CourseStatus.PUBLISHED,), CourseStatus.DRAFT, OPERATORS, gettext_lazy("Back to draft")
        ),
        Transition(
            "cancel",
            (CourseStatus.DRAFT, CourseStatus.PUBLISHED),
            CourseStatus.CANCELLED,
            OPERATORS,
            gettext_lazy("Cancel the course"),
            needs_reason=True,
        ),
    ],
)

COURSE_FIELDS = (
    "title",
    "topic",
    "description",
    "audience",
    "trainer",
    "hours",
    "seats_per_organisation",
    "public_enrolment",
    "attendance_percent",
    "offer_hours",
)
MAX_SERIES = 52  # a year of weekly sessions at most in one go


def save_course(*, actor, course: Course | None = None, **fields) -> Course:
    """Create a course (a draft) or change one; the model's limits apply, each problem on its field."""
    require_operator(actor)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    with transaction.atomic():
        if course is None:
            course = Course(created_by=actor)
            action = "course.created"
        else:
            course = Course.objects.select_for_update().get(pk=course.pk)
            if course.status == CourseStatus.CANCELLED:
                raise TransitionError(_("A cancelled course can no longer be changed."))
            action = "course.changed"
        for name, value in fields.items():
            setattr(course, name, value)
        course.full_clean()
        course.save()
        record_event(actor=actor, action=action, subject=course, reason=course.title)
    return course


def publish_course(*, actor, course: Course) -> Course:
    def guard(locked):
        if not locked.sessions.filter(status=SessionStatus.SCHEDULED).exists():
            raise TransitionError(_("Add at least one session before publishing the course."))

    return run_transition(workflow=COURSE, obj=course, name="publish", actor=actor, guard=guard)


def unpublish_course(*, actor, course: Course) -> Course:
    def guard(locked):
        if _enrolled(locked).exists():
            raise TransitionError(_("People are enrolled: cancel the course instead, with a reason they will read."))

    return run_transition(workflow=COURSE, obj=course, name="unpublish", actor=actor, guard=guard)


def _enrolled(course: Course):
    from incubator.courses.models import Enrolment

    return Enrolment.objects.filter(session__course=course, status__in=ACTIVE)


def cancel_course(*, actor, course: Course, reason: str) -> Course:
    """Cancel the course and every session still to come; everyone enrolled or waiting is told why."""
    from incubator.courses.services.enrolment import tell_cancelled

    reason = (reason or "").strip()
    now = timezone.now()

    def apply(locked):
        locked.cancel_reason = reason
        for session in locked.sessions.select_for_update().filter(status=SessionStatus.SCHEDULED, starts_at__gt=now):
            _cancel_enrolments(session, reason, tell_cancelled)
            session.status = SessionStatus.CANCELLED
            session.save(update_fields=["status"])

    return run_transition(workflow=COURSE, obj=course, name="cancel", actor=actor, reason=reason, apply=apply)


def _cancel_enrolments(session: Session, reason: str, tell) -> None:
    for enrolment in session.enrolments.select_related("participant").filter(status__in=ACTIVE):
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.save(update_fields=["status"])
        tell(enrolment, reason)


# --- Sessions ------------------------------------------------------------------------------------------------


def _session_problems(*, starts_at, ends_at, venue: str, online_url: str, capacity) -> dict:
    problems: dict[str, list] = {}
    if starts_at and ends_at and ends_at <= starts_at:
        problems["ends_at"] = [_("The session must end after it starts.")]
    if starts_at and ends_at and ends_at - starts_at > datetime.timedelta(hours=12):
        problems.setdefault("ends_at", []).append(_("A session lasts at most 12 hours: split a longer one."))
    if not (venue or "").strip() and not (online_url or "").strip():
        problems["venue"] = [_("Give the venue, or the online link for an online session.")]
    return problems


def add_session(
    *,
    actor,
    course: Course,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    venue: str = "",
    online_url: str = "",
    trainer: str = "",
) -> Session:
    require_operator(actor)
    if course.status == CourseStatus.CANCELLED:
        raise TransitionError(_("A cancelled course takes no more sessions."))
    problems = _session_problems(
        starts_at=starts_at, ends_at=ends_at, venue=venue, online_url=online_url, capacity=capacity
    )
    session = Session(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        venue=(venue or "").strip(),
        online_url=(online_url or "").strip(),
        trainer=(trainer or "").strip() or course.trainer,
    )
    try:
        session.full_clean(exclude=["course"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems.setdefault(field, []).extend(messages)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        session.save()
        record_event(actor=actor, action="course.session_added", subject=course, reason=str(session))
    return session


def series_dates(first: datetime.date, until: datetime.date, *, every_days: int = 7) -> tuple[list, list]:
    """The dates of a series from ``first`` to ``until`` every ``every_days`` days: (kept, skipped), the
    skipped being the Chinese statutory holidays (and the hub's rest days)."""
    kept, skipped = [], []
    day = first
    while day <= until and len(kept) + len(skipped) < MAX_SERIES:
        (skipped if is_statutory_holiday(day) else kept).append(day)
        day += datetime.timedelta(days=every_days)
    return kept, skipped


def add_series(
    *,
    actor,
    course: Course,
    first_starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    until: datetime.date,
    capacity: int,
    venue: str = "",
    online_url: str = "",
    trainer: str = "",
) -> tuple[list[Session], list[datetime.date]]:
    """Weekly sessions at the same time from the first until ``until``, skipping statutory holidays; all or
    none are created. Returns the sessions and the dates skipped."""
    require_operator(actor)
    problems = _session_problems(
        starts_at=first_starts_at, ends_at=ends_at, venue=venue, online_url=online_url, capacity=capacity
    )
    first = timezone.localtime(first_starts_at).date() if first_starts_at else None
    if first and until and until < first:
        problems["until"] = [_("The series must end on or after its first session.")]
    if first and until and (until - first).days > 7 * MAX_SERIES:
        problems["until"] = [_("At most %(count)d sessions in one series.") % {"count": MAX_SERIES}]
    if problems:
        raise ValidationError(problems)
    duration = ends_at - first_starts_at
    start_time = timezone.localtime(first_starts_at).timetz()
    kept, skipped = series_dates(first, until)
    sessions = []
    with transaction.atomic():
        for day in kept:
            starts = timezone.make_aware(datetime.datetime.combine(day, start_time.replace(tzinfo=None)))
            sessions.append(
                add_session(
                    actor=actor,
                    course=course,
                    starts_at=starts,
                    ends_at=starts + duration,
                    capacity=capacity,
                    venue=venue,
                    online_url=online_url,
                    trainer=trainer,
                )
            )
    return sessions, skipped


def change_capacity(*, actor, session: Session, capacity: int) -> Session:
    """More seats offer the freed ones to the waitlist at once; fewer than the seats already held are refused."""
    from incubator.courses.services.enrolment import fill_seats

    require_operator(actor)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        held = locked.enrolments.filter(status__in=HOLDS_A_SEAT).count()
        if not isinstance(capacity, int) or capacity < 1:
            raise ValidationError({"capacity": [_("At least one seat.")]})
        if capacity < held:
            raise ValidationError(
                {
                    "capacity": [
                        _("%(held)d people hold a seat already: the session cannot have fewer seats.") % {"held": held}
                    ]
                }
            )
        before = locked.capacity
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
        record_event(
            actor=actor,
            action="course.capacity_changed",
            subject=locked.course,
            reason=f"{locked}: {before} → {capacity}",
        )
        fill_seats(locked)
    return locked


def cancel_session(*, actor, session: Session, reason: str) -> Session:
    from incubator.courses.services.enrolment import tell_cancelled

    require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the session is cancelled: everyone enrolled reads it.")]})
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status == SessionStatus.CANCELLED:
            raise TransitionError(_("This session is cancelled already."))
        _cancel_enrolments(locked, reason, tell_cancelled)
        locked.status = SessionStatus.CANCELLED
        locked.save(update_fields=["status"])
        record_event(
            actor=actor, action="course.session_cancelled", subject=locked.course, reason=f"{locked}: {reason}"
        )
    return locked

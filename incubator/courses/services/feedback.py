"""Feedback after a session (课后反馈): one answer per attendee, satisfaction 1-5 per question and a comment;
results per session and per course as averages and the spread of each question."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.audit.services import record_event
from incubator.courses.models import PARTIAL, Attendance, AttendanceStatus, FeedbackAnswer, Participant, Session
from incubator.workflow import TransitionError

QUESTIONS = ("content", "trainer", "organisation")
ATTENDED = (AttendanceStatus.PRESENT, *PARTIAL)


def give_feedback(*, session: Session, participant: Participant, answers: dict, comment: str = "") -> FeedbackAnswer:
    """The attendee's answer (reached through their personal link): after the session, once."""
    if session.ends_at > timezone.now():
        raise TransitionError(_("Feedback opens when the session has ended."))
    if not Attendance.objects.filter(session=session, participant=participant, status__in=ATTENDED).exists():
        raise TransitionError(_("Only people who attended the session give feedback on it."))
    problems = {}
    values = {}
    for question in QUESTIONS:
        value = answers.get(question)
        if value not in (1, 2, 3, 4, 5):
            problems[question] = [_("Choose from 1 to 5.")]
        values[question] = value
    comment = (comment or "").strip()
    if len(comment) > 1000:
        problems["comment"] = [_("At most 1000 characters.")]
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            answer = FeedbackAnswer.objects.create(session=session, participant=participant, comment=comment, **values)
            record_event(actor=None, action="feedback.given", subject=session.course, reason=str(session))
    except IntegrityError:
        raise TransitionError(_("You have given your feedback on this session already. Thank you!")) from None
    return answer


def _average(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def feedback_results(answers) -> dict:
    """Figures of a queryset of answers (a session's or a course's): count, average and 1-5 spread per question,
    in one query."""
    aggregates = {"answers": Count("id")}
    for question in QUESTIONS:
        aggregates[f"{question}_avg"] = Avg(question)
        for level in range(1, 6):
            aggregates[f"{question}_{level}"] = Count("id", filter=Q(**{question: level}))
    row = answers.aggregate(**aggregates)
    return {
        "answers": row["answers"],
        "questions": [
            {
                "name": question,
                "label": FeedbackAnswer._meta.get_field(question).verbose_name,
                "average": _average(row[f"{question}_avg"]),
                "spread": [row[f"{question}_{level}"] for level in range(1, 6)],
            }
            for question in QUESTIONS
        ],
    }

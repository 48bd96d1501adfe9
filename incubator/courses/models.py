"""Capacity building (能力建设, the hub's 公益学院): courses and their sessions, the people who take them,
enrolment with a waitlist, attendance in minutes, feedback, certificates and yearly training targets.

A course (课程) has sessions (场次); a participant (学员) is a person known by their mobile number, usually one
of an organisation's people with their role in it. An enrolment (报名) holds a seat or a place in the
session's waitlist; the seat races are decided by a row lock on the session (services.enrolment).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incubator.fields import BoundedTextField
from incubator.orgs.models import Organisation


def _token() -> str:
    return secrets.token_urlsafe(24)


class Topic(models.TextChoices):
    PROJECT_MANAGEMENT = "project_management", _("Project management")  # 项目管理
    VOLUNTEERS = "volunteers", _("Volunteer management")  # 志愿者管理
    FINANCE = "finance", _("Financial management")  # 财务管理
    FUNDRAISING = "fundraising", _("Fundraising")  # 筹款
    REGISTRATION = "registration", _("Filing and registration")  # 登记备案
    PARTY_BUILDING = "party_building", _("Party building")  # 党建
    OTHER = "other", _("Other topics")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("course status", "Published")
    CANCELLED = "cancelled", pgettext_lazy("course status", "Cancelled")


class Course(models.Model):
    """A course of the hub's 公益学院 (课程): what it teaches, to whom, and what it is worth in hours."""

    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    description = BoundedTextField(_("description"), blank=True)
    audience = models.CharField(_("for whom"), max_length=200, blank=True)
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    hours = models.DecimalField(
        _("training hours it is worth"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("999"))],
    )
    seats_per_organisation = models.PositiveSmallIntegerField(
        _("seats per organisation and session"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: no limit. A limit keeps one organisation from filling a session."),
    )
    public_enrolment = models.BooleanField(
        _("residents may enrol without an account"),
        default=False,
        help_text=_("A public form on the showcase, for residents and community workers."),
    )
    attendance_percent = models.PositiveSmallIntegerField(
        _("attendance needed for the certificate (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("hours a waiting person has to accept a freed seat"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    status = models.CharField(_("status"), max_length=20, choices=CourseStatus.choices, default=CourseStatus.DRAFT)
    cancel_reason = BoundedTextField(_("why the course was cancelled"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", pgettext_lazy("course status", "Cancelled")


class Session(models.Model):
    """One sitting of a course (场次), in Asia/Shanghai time, at a venue or online."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1), MaxValueValidator(10000)])
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    # The sign-in QR code is derived from this secret and the day, so yesterday's code signs nobody in.
    sign_in_secret = models.CharField(max_length=64, default=_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_has_a_seat"),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self):
        from django.utils import timezone

        return f"{self.course} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def online(self) -> bool:
        return bool(self.online_url) and not self.venue


class PersonRole(models.TextChoices):
    """A participant's role in their organisation (the targets count by it)."""

    LEADER = "leader", _("Person in charge")  # 负责人
    PROJECT = "project", _("Project staff")  # 项目
    FINANCE = "finance", _("Finance")  # 财务
    VOLUNTEERS = "volunteers", _("Volunteer management")  # 志愿者管理
    OTHER = "other", _("Other role")  # 其他
    RESIDENT = "resident", _("Resident or community worker")  # 居民、社区工作者 (no organisation)


class Participant(models.Model):
    """A person who takes the hub's training (学员), known by their mobile number."""

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainees",
    )
    role = models.CharField(_("role in the organisation"), max_length=20, choices=PersonRole.choices)
    language = models.CharField(_("language of e-mails"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    # Behind the personal calendar feed and the links in e-mails: secret, one per person.
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")  # 已报名 (holds a seat)
    WAITLISTED = "waitlisted", _("On the waitlist")  # 候补
    OFFERED = "offered", _("Offered a seat")  # 候补转正待确认 (the seat is held for them)
    EXPIRED = "expired", _("Offer not taken")
    CANCELLED = "cancelled", pgettext_lazy("course status", "Cancelled")
    REMOVED = "removed", _("Removed by the hub")


HOLDS_A_SEAT = (EnrolmentStatus.ENROLLED, EnrolmentStatus.OFFERED)
ACTIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.OFFERED, EnrolmentStatus.WAITLISTED)


class EnrolmentSource(models.TextChoices):
    PORTAL = "portal", _("The organisation's portal")
    PUBLIC = "public", _("The public form")
    HUB = "hub", _("The hub")


class Enrolment(models.Model):
    """A participant's place in a session: a seat, or a place in its waitlist (strict order of joining)."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="enrolments")
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    source = models.CharField(_("enrolled through"), max_length=20, choices=EnrolmentSource.choices)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    offer_token = models.CharField(max_length=64, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Which reminders went out (the day before, two hours before), so a rerun of the job sends none twice.
    reminded_day_before = models.BooleanField(default=False)
    reminded_soon = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=Q(status__in=["enrolled", "waitlisted", "offered"]),
                name="one_active_enrolment_per_session",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False) & ~Q(offer_token=""),
                name="an_offer_has_a_token_and_an_end",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "joined_at"])]

    def __str__(self):
        return f"{self.participant} · {self.session}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")  # 出席
    LATE = "late", _("Late")  # 迟到
    LEFT_EARLY = "left_early", _("Left early")  # 早退
    EXCUSED = "excused", _("Excused")  # 请假
    ABSENT = "absent", _("Absent")  # 缺席


PARTIAL = (AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)


class SignInMethod(models.TextChoices):
    QR = "qr", _("QR code")
    ROSTER = "roster", _("Roster")


class Attendance(models.Model):
    """Whether and how long a person attended a session (签到), in minutes: partial attendance gives partial
    hours. A walk-in (not on the roster) is recorded as such."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    minutes = models.PositiveIntegerField(_("minutes attended"), default=0)
    walk_in = models.BooleanField(_("not on the roster"), default=False)
    method = models.CharField(_("recorded by"), max_length=10, choices=SignInMethod.choices)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "participant__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="one_attendance_per_session"),
            models.CheckConstraint(
                condition=~Q(status__in=["excused", "absent"]) | Q(minutes=0), name="no_minutes_when_absent"
            ),
        ]

    def __str__(self):
        return f"{self.participant} · {self.session}: {self.get_status_display()}"


def _certificate_code() -> str:
    return secrets.token_urlsafe(16)  # 128 bits: unguessable, and short enough for a QR code


class Certificate(models.Model):
    """A certificate of completion (结业证书): issued when the participant met the course's attendance rule;
    verifiable by its code at /certificates/<code>/; revoked with a reason, never deleted."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="certificates")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("verification code"), max_length=32, unique=True, default=_certificate_code)
    hours = models.DecimalField(_("training hours"), max_digits=6, decimal_places=1)
    attended_percent = models.PositiveSmallIntegerField(_("attendance (%)"))
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = BoundedTextField(_("why it was revoked"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "course"], condition=Q(revoked_at__isnull=True), name="one_valid_certificate"
            )
        ]

    def __str__(self):
        return f"{self.participant} · {self.course}"

    @property
    def valid(self) -> bool:
        return self.revoked_at is None


class MilestoneCourse(models.Model):
    """An incubation milestone that is met by completing a course ("complete 财务管理"): ticked when the
    organisation's person is issued the course's certificate."""

    milestone = models.OneToOneField(
        "orgs.Milestone", verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="required_course"
    )
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("course a milestone requires")
        verbose_name_plural = _("courses milestones require")

    def __str__(self):
        return f"{self.milestone} ← {self.course}"


class FeedbackAnswer(models.Model):
    """One attendee's feedback on a session (课后反馈): satisfaction 1-5 per question and free text, once."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="feedback")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    content = models.PositiveSmallIntegerField(
        _("the content was useful"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    trainer = models.PositiveSmallIntegerField(
        _("the trainer explained well"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    organisation = models.PositiveSmallIntegerField(
        _("the session was well organised"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = BoundedTextField(_("comment"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        constraints = [models.UniqueConstraint(fields=["session", "participant"], name="one_feedback_per_attendee")]

    def __str__(self):
        return f"{self.participant} · {self.session}"


class TrainingTarget(models.Model):
    """A yearly training target of the hub per role, e.g. every incubated organisation's 负责人 at least two
    sessions and its 财务 one (培训目标)."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    role = models.CharField(_("role in the organisation"), max_length=20, choices=PersonRole.choices)
    sessions = models.PositiveSmallIntegerField(
        _("sessions attended at least"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("training target")
        verbose_name_plural = _("training targets")
        ordering = ["-year", "role"]
        constraints = [models.UniqueConstraint(fields=["year", "role"], name="one_target_per_role_and_year")]

    def __str__(self):
        return f"{self.year} {self.get_role_display()} ≥ {self.sessions}"

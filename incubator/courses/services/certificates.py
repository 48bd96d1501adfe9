"""Certificates of completion (结业证书) and the hours (学时) a person earns.

A participant earns a share of the course's hours in proportion to the minutes they attended of its sessions
(partial attendance, partial hours). The certificate is due once that share reaches the course's rule (e.g.
80 %); it carries an unguessable code and a QR code to /certificates/<code>/, which shows a masked name. An
operator may revoke it with a reason; it is never deleted. Issuing one ticks the incubation milestones of the
person's organisation that require the course.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.audit.services import record_event
from incubator.courses.models import (
    Attendance,
    Certificate,
    Course,
    MilestoneCourse,
    Participant,
    SessionStatus,
)
from incubator.permissions import require_operator
from incubator.workflow import TransitionError

TENTH = Decimal("0.1")


def course_minutes(course: Course) -> int:
    """The minutes of the course's sessions (cancelled ones do not count)."""
    return sum(s.minutes for s in course.sessions.exclude(status=SessionStatus.CANCELLED))


def attended_minutes(course: Course, participant: Participant) -> int:
    attended = Attendance.objects.filter(
        session__course=course, participant=participant, session__status=SessionStatus.SCHEDULED
    ).aggregate(total=Sum("minutes"))["total"]
    return attended or 0


def standing(course: Course, participant: Participant) -> dict:
    """How far the participant is in the course: minutes, share (%), hours earned, and whether it is enough."""
    total = course_minutes(course)
    attended = min(attended_minutes(course, participant), total)
    percent = int(attended * 100 // total) if total else 0
    hours = (course.hours * attended / total).quantize(TENTH, rounding=ROUND_HALF_UP) if total else Decimal("0.0")
    return {
        "minutes": attended,
        "total": total,
        "percent": percent,
        "hours": hours,
        "complete": bool(total) and percent >= course.attendance_percent,
    }


def issue_certificate(*, actor, course: Course, participant: Participant) -> Certificate:
    require_operator(actor)
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).exists()  # one issuer at a time per course
        if Certificate.objects.filter(course=course, participant=participant, revoked_at__isnull=True).exists():
            raise TransitionError(_("%(name)s has a valid certificate of this course already.") % {"name": participant})
        record = standing(course, participant)
        if not record["complete"]:
            raise TransitionError(
                _("%(name)s attended %(percent)d%% of the course; the certificate needs %(rule)d%%.")
                % {"name": participant, "percent": record["percent"], "rule": course.attendance_percent}
            )
        certificate = Certificate.objects.create(
            participant=participant,
            course=course,
            organisation=participant.organisation,
            hours=record["hours"],
            attended_percent=min(record["percent"], 100),
            issued_on=timezone.localdate(),
            issued_by=actor,
        )
        record_event(actor=actor, action="certificate.issued", subject=certificate, reason=str(certificate))
        _tick_milestones(actor, certificate)
    return certificate


def issue_due_certificates(*, actor, course: Course) -> list[Certificate]:
    """Every participant of the course who met its rule and has no valid certificate yet."""
    require_operator(actor)
    holders = Certificate.objects.filter(course=course, revoked_at__isnull=True).values("participant_id")
    candidates = (
        Participant.objects.filter(attendance__session__course=course).exclude(pk__in=holders).distinct().order_by("pk")
    )
    return [
        issue_certificate(actor=actor, course=course, participant=person)
        for person in candidates
        if standing(course, person)["complete"]
    ]


def revoke_certificate(*, actor, certificate: Certificate, reason: str) -> Certificate:
    require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the certificate is revoked: the verification page shows it.")]})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at:
            raise TransitionError(_("This certificate is revoked already."))
        locked.revoked_at = timezone.now()
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoke_reason"])
        record_event(actor=actor, action="certificate.revoked", subject=locked, reason=reason)
    return locked


def _tick_milestones(actor, certificate: Certificate) -> None:
    from incubator.orgs.models import IncubationStatus

    if certificate.organisation_id is None:
        return
    required = MilestoneCourse.objects.select_related("milestone__incubation").filter(
        course=certificate.course,
        milestone__done_on__isnull=True,
        milestone__incubation__organisation_id=certificate.organisation_id,
        milestone__incubation__status=IncubationStatus.INCUBATING,
    )
    for link in required:
        milestone = link.milestone
        milestone.done_on = certificate.issued_on
        milestone.save(update_fields=["done_on"])
        record_event(
            actor=actor,
            action="milestone.done",
            subject=milestone.incubation,
            reason=_("%(milestone)s: certificate of “%(course)s” issued to %(name)s")
            % {"milestone": milestone.title, "course": certificate.course, "name": certificate.participant},
        )


# --- Verification and the PDF -------------------------------------------------------------------------------


def masked_name(name: str) -> str:
    """张*明, 王*, *: what the public verification page shows of a person's name."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def certificate_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 32:
        return None
    return Certificate.objects.select_related("participant", "course", "organisation").filter(code=code).first()


def certificate_pdf(certificate: Certificate, *, verify_url: str, hub_name: str) -> bytes:
    """The certificate on one A4 page, with the hub's TrueType CJK font embedded and a QR code to verify it."""
    import segno
    from reportlab.lib.units import mm
    from reportlab.platypus import Image

    from incubator.pdf import Document

    document = Document(base_size=13)
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    organisation = certificate.organisation.name if certificate.organisation else ""
    story = [
        document.space(30 * mm),
        document.p(_("Certificate of completion"), document.title),
        document.space(12 * mm),
        document.p(
            _(
                "%(name)s%(organisation)s completed the course “%(course)s” of %(hub)s, attending %(percent)d%% "
                "of its sessions, and earned %(hours)s training hours."
            )
            % {
                "name": certificate.participant.name,
                "organisation": f"（{organisation}）" if organisation else "",
                "course": certificate.course.title,
                "hub": hub_name,
                "percent": certificate.attended_percent,
                "hours": certificate.hours,
            }
        ),
        document.space(10 * mm),
        document.p(_("Issued on %(date)s") % {"date": certificate.issued_on.isoformat()}, document.subtitle),
        document.space(12 * mm),
        Image(qr, width=35 * mm, height=35 * mm),
        document.p(_("Verify at %(url)s") % {"url": verify_url}, document.cell),
        document.p(_("Certificate code: %(code)s") % {"code": certificate.code}, document.cell),
    ]
    return document.build(story, title=_("Certificate of completion"), author=hub_name)

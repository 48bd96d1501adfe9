"""The public notice (公示), objections to it (异议), and what the applicant is told."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from incubator import workdays
from incubator.audit.services import record_event
from incubator.funding.models import (
    Application,
    ApplicationStatus,
    Call,
    Objection,
    ObjectionStatus,
    PublicNotice,
)
from incubator.funding.services.applications import _tell_applicant
from incubator.funding.services.calls import APPLICATION, CALL
from incubator.funding.signals import awards_final
from incubator.notifications.services import notify, notify_address
from incubator.permissions import OPERATORS, operators, user_has_role
from incubator.ratelimit import Limit, wait_message
from incubator.workflow import TransitionError, run_transition

# --- Public notice and objections ------------------------------------------------------------------


def publish_notice(*, actor, call: Call, starts_on: datetime.date | None = None) -> PublicNotice:
    starts_on = starts_on or timezone.localdate() + datetime.timedelta(days=1)
    first, last = workdays.working_period(starts_on, call.notice_working_days)
    unknown = workdays.unknown_years(first, last)
    note = ""
    if unknown:
        note = _(
            "The State Council's holiday arrangement for %(years)s is not published yet: the fixed statutory "
            "holidays are counted, but its extra rest days and adjusted working days count only as far as the "
            "hub has entered them."
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
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice,
            application=application,
            name=name.strip(),
            contact=contact.strip(),
            text=text.strip(),
            language=get_language() or "",
        )
        record_event(actor=None, action="objection.lodged", subject=application, reason=text.strip()[:200])
    if OBJECTION_EMAILS_PER_NOTICE.hit(str(notice.pk)) <= OBJECTION_EMAILS_PER_NOTICE.limit:
        excerpt = text.strip()
        if len(excerpt) > OBJECTION_EXCERPT:
            excerpt = excerpt[:OBJECTION_EXCERPT] + "…"
        notify("objection.lodged", to=operators(), context={"project": application, "excerpt": excerpt})
    return objection


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
                actor=actor,
                action=f"objection.{locked.status}",
                subject=locked.application,
                reason=f"{locked.reference}: {resolution}",
            )
            if locked.email:
                notify_address(
                    "objection.resolved",
                    address=locked.email,
                    language=locked.language or settings.LANGUAGE_CODE,
                    context={
                        "reference": locked.reference,
                        "project": locked.application,
                        "upheld": upheld,
                        "resolution": locked.resolution,
                    },
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
            awards_final.send(sender=PublicNotice, notice=notice)
    return {"awarded": awarded, "waiting_on_objections": waiting}


def release_feedback(*, actor, application: Application, feedback: str) -> Application:
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators release feedback."))
    with transaction.atomic():
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
        "awarded_amount": application.awarded_amount
        if application.status in (ApplicationStatus.IN_NOTICE, ApplicationStatus.AWARDED)
        else None,
        "rank": application.rank
        if application.status in (ApplicationStatus.RECOMMENDED, ApplicationStatus.IN_NOTICE, ApplicationStatus.AWARDED)
        else None,
    }

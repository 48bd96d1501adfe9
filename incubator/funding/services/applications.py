"""Applications (项目申报): eligibility, drafts checked for type and range, submission, screening."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.audit.services import record_event
from incubator.courses.selectors import completed_courses
from incubator.files import check_upload
from incubator.funding.models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    BudgetLine,
    Call,
    CallStatus,
    Objective,
    Term,
)
from incubator.funding.services.calls import APPLICATION, _money
from incubator.notifications.services import notify
from incubator.orgs.models import Organisation, Verification
from incubator.orgs.selectors import members_of
from incubator.permissions import require_can_act_for
from incubator.workflow import TransitionError, run_transition

# --- Eligibility and applications -----------------------------------------------------------------


def eligibility_problems(call: Call, organisation: Organisation) -> list[str]:
    """Why an organisation may not apply, before it writes anything."""
    problems = []
    if call.eligible_legal_forms and organisation.legal_form not in call.eligible_legal_forms:
        problems.append(
            _("This call is open to %(forms)s; your organisation is a %(form)s.")
            % {
                "forms": "、".join(
                    str(dict(organisation._meta.get_field("legal_form").choices)[f]) for f in call.eligible_legal_forms
                ),
                "form": organisation.get_legal_form_display(),
            }
        )
    if call.eligible_tiers and organisation.tier not in call.eligible_tiers:
        problems.append(
            _("This call is open to 1+n+x tiers %(tiers)s; your organisation is “%(tier)s”.")
            % {
                "tiers": "、".join(
                    str(dict(organisation._meta.get_field("tier").choices)[t]) for t in call.eligible_tiers
                ),
                "tier": organisation.get_tier_display(),
            }
        )
    streets = list(call.eligible_streets.all())
    if streets and organisation.street_id not in {s.pk for s in streets}:
        problems.append(
            _("This call is open to organisations in %(streets)s.") % {"streets": "、".join(s.name for s in streets)}
        )
    missing = [course for course in call.required_courses.all() if course.pk not in completed_courses(organisation)]
    if missing:
        problems.append(
            _(
                "This call asks that someone of your organisation completed %(courses)s at the hub's training "
                "(公益学院) first: enrol in the portal's training page."
            )
            % {"courses": "、".join(f"“{course.title}”" for course in missing)}
        )
    return problems


def _window_problem(call: Call, now=None) -> str | None:
    now = now or timezone.now()
    if call.status != CallStatus.OPEN or now < call.opens_at:
        return _("The call “%(call)s” is not open for applications.") % {"call": call}
    if now >= call.accepts_until:
        return _("The call “%(call)s” closed at %(time)s; late applications are not accepted.") % {
            "call": call,
            "time": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M"),
        }
    return None


def start_application(*, actor, call: Call, organisation: Organisation) -> Application:
    require_can_act_for(actor, organisation)
    problems = eligibility_problems(call, organisation)
    if window := _window_problem(call):
        problems.insert(0, window)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        application, created = Application.objects.get_or_create(call=call, organisation=organisation)
        if created:
            record_event(
                actor=actor, action="application.started", subject=application, to_state=ApplicationStatus.DRAFT
            )
    return application


DRAFT_FIELDS = (
    "title",
    "service_field",
    "problem",
    "target_groups",
    "beneficiaries",
    "activities",
    "starts_on",
    "ends_on",
)


@transaction.atomic
def save_draft(
    *,
    actor,
    application: Application,
    fields: dict,
    objectives: list[dict] | None = None,
    budget_lines: list[dict] | None = None,
    needs=None,
) -> Application:
    """Drafts save as they go: anything may be incomplete until submission."""
    require_can_act_for(actor, application.organisation)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.DRAFT:
        raise TransitionError(_("A submitted application can no longer be edited."))
    for name, value in fields.items():
        if name not in DRAFT_FIELDS:
            raise PermissionDenied(_("“%(field)s” cannot be set here.") % {"field": name})
        setattr(locked, name, value)
    _check_draft(locked)
    new_objectives = [Objective(application=locked, **row) for row in objectives or []]
    new_lines = [
        BudgetLine(
            application=locked,
            category=row["category"],
            item=row["item"] or "—",
            amount=None if row["amount"] is None else _money(row["amount"]),
        )
        for row in budget_lines or []
    ]
    for row in (*new_objectives, *new_lines):
        _check_draft(row, exclude=["application"], required=("amount",))
    locked.save()
    if objectives is not None:
        locked.objectives.all().delete()
        Objective.objects.bulk_create(new_objectives)
    if budget_lines is not None:
        locked.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(new_lines)
    if needs is not None:
        locked.needs.set(needs)
    return locked


def _check_draft(instance, *, exclude=(), required=()) -> None:
    """A draft may be incomplete, but what it holds has the model's type, range and choices, whoever calls:
    the fields that are empty (and not ``required``) are left to the submission check."""
    empty = [
        f.name
        for f in instance._meta.concrete_fields
        if f.name not in required and getattr(instance, f.attname) in (None, "", [])
    ]
    instance.clean_fields(exclude=[*exclude, *empty])


def submission_problems(application: Application, *, check_window: bool = True) -> list[str]:
    """Every reason the application cannot be submitted yet, all at once (``check_window=False``: only its
    content, e.g. the operator's checklist of a submitted one)."""
    call = application.call
    problems = []
    if check_window and (window := _window_problem(call)):
        problems.append(window)
    problems += eligibility_problems(call, application.organisation)
    required = {
        "title": _("Give the project a title."),
        "problem": _("Describe the problem and the residents' needs the project addresses."),
        "activities": _("Describe the activities and their timeline."),
    }
    problems += [message for name, message in required.items() if not (getattr(application, name) or "").strip()]
    if application.service_field not in call.service_fields:
        problems.append(_("Choose one of the call's service fields."))
    if not application.target_groups:
        problems.append(_("Say which group of residents the project serves."))
    if not application.beneficiaries:
        problems.append(_("Give the number of beneficiaries."))
    if not application.starts_on or not application.ends_on or application.ends_on <= application.starts_on:
        problems.append(_("Give the project's start and end dates (the end after the start)."))
    objectives = list(application.objectives.all())
    for term in Term:
        if not any(o.term == term and o.indicator.strip() and o.target is not None for o in objectives):
            problems.append(
                _("Add a %(term)s objective with a measurable indicator and a target.") % {"term": term.label}
            )
    lines = list(application.budget_lines.all())
    total = sum((line.amount for line in lines), Decimal("0.00"))
    if not lines:
        problems.append(_("Add the budget lines."))
    elif total > call.per_project_cap:
        problems.append(
            _("The budget of %(total)s yuan exceeds the call's cap of %(cap)s yuan per project.")
            % {"total": total, "cap": call.per_project_cap}
        )
    for standard in call.budget_standards.all():
        spent = sum((line.amount for line in lines if line.category == standard.category), Decimal("0.00"))
        if standard.max_amount is not None and spent > standard.max_amount:
            problems.append(
                _("%(category)s come to %(spent)s yuan; the standard allows at most %(max)s yuan.")
                % {"category": standard.get_category_display(), "spent": spent, "max": standard.max_amount}
            )
        if standard.max_percent is not None and total and spent * 100 > standard.max_percent * total:
            problems.append(
                _("%(category)s are %(share)s%% of the budget; the standard allows at most %(max)s%%.")
                % {
                    "category": standard.get_category_display(),
                    "share": _money(spent * 100 / total),
                    "max": standard.max_percent,
                }
            )
    return problems


def submit_application(*, actor, application: Application) -> Application:
    require_can_act_for(actor, application.organisation)

    def guard(locked):
        problems = submission_problems(locked)
        if problems:
            raise ValidationError(problems)

    def apply(locked):
        locked.submitted_at = timezone.now()

    return run_transition(
        workflow=APPLICATION,
        obj=application,
        name="submit",
        actor=actor,
        guard=guard,
        apply=apply,
        notify=_tell_applicant,
    )


def screen(*, actor, application: Application, accept: bool, reason: str = "") -> Application:
    def verified(locked):
        # An organisation that signed itself up is funded only once the hub has checked it and its code.
        organisation = Organisation.objects.get(pk=locked.organisation_id)
        if accept and organisation.verification != Verification.VERIFIED:
            raise TransitionError(
                _("“%(organisation)s” is not verified yet: verify the organisation and its code first.")
                % {"organisation": organisation}
            )

    return run_transition(
        workflow=APPLICATION,
        obj=application,
        name="accept" if accept else "screen_out",
        actor=actor,
        reason=reason,
        guard=verified,
        notify=_tell_applicant,
    )


def _tell_applicant(locked: Application) -> None:
    notify(
        "application.changed",
        to=members_of(locked.organisation),
        context={"title": locked, "call": locked.call, "state": ApplicationStatus(locked.status).label},
        kind="status"
        if locked.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED)
        else "decision",
    )


MAX_ATTACHMENTS = 10


def add_attachment(*, actor, application: Application, title: str, uploaded_file) -> ApplicationAttachment:
    """Join a file to a draft (checked for kind and size like every upload of the hub)."""
    require_can_act_for(actor, application.organisation)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Say what the file is.")]})
    if len(title) > ApplicationAttachment._meta.get_field("title").max_length:
        raise ValidationError({"title": [_("At most 100 characters.")]})
    if uploaded_file is None:
        raise ValidationError({"file": [_("Choose the file first.")]})
    check_upload(uploaded_file)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.DRAFT:
            raise TransitionError(_("A submitted application can no longer be edited."))
        if locked.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError(
                {"file": [_("At most %(count)d files per application.") % {"count": MAX_ATTACHMENTS}]}
            )
        attachment = ApplicationAttachment.objects.create(
            application=locked,
            title=title,
            file=uploaded_file,
            original_name=uploaded_file.name[-200:],
            uploaded_by=actor,
        )
        record_event(actor=actor, action="application.attachment_added", subject=locked, reason=title)
    return attachment


def remove_attachment(*, actor, attachment: ApplicationAttachment) -> None:
    application = attachment.application
    require_can_act_for(actor, application.organisation)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.DRAFT:
            raise TransitionError(_("A submitted application can no longer be edited."))
        attachment.file.delete(save=False)
        attachment.delete()
        record_event(actor=actor, action="application.attachment_removed", subject=locked, reason=attachment.title)


def screen_many(*, actor, applications: list[Application], accept: bool, reason: str = "") -> list[Application]:
    """Screen several applications at once, all or none (a refusal names the application)."""
    if not applications:
        raise ValidationError(_("Choose the applications first."))
    done = []
    with transaction.atomic():
        for application in applications:
            try:
                done.append(screen(actor=actor, application=application, accept=accept, reason=reason))
            except TransitionError as refused:
                raise TransitionError(f"{application}: {refused.message}") from None
    return done

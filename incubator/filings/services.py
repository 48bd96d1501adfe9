"""Filing and registration assistance, annual reports and their reminders."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.audit.actions import declare_states
from incubator.audit.services import record_event
from incubator.files import check_upload
from incubator.filings.models import (
    AnnualReport,
    AnnualReportStatus,
    DocumentRequirement,
    Filing,
    FilingDocument,
    FilingKind,
    FilingStatus,
)
from incubator.notifications.services import notify
from incubator.orgs.models import LegalForm, Organisation
from incubator.orgs.reminders import OVERDUE, remind, rung
from incubator.orgs.selectors import members_of
from incubator.orgs.services import touch
from incubator.permissions import OPERATORS, ORGANISATION_PEOPLE, is_operator, operators, require_can_act_for
from incubator.workflow import Transition, TransitionError, Workflow, run_transition

declare_states("annual_report", AnnualReportStatus.choices)

MEMBERS_AND_OPERATORS = ORGANISATION_PEOPLE
REMIND_DAYS_BEFORE = (30, 7, 1)

FILING = Workflow(
    name="filing",
    states=FilingStatus,
    transitions=[
        Transition("submit", ("draft", "returned"), "submitted", MEMBERS_AND_OPERATORS, gettext_lazy("Submit")),
        Transition(
            "return", ("submitted",), "returned", OPERATORS, gettext_lazy("Return for correction"), needs_reason=True
        ),
        Transition("approve", ("submitted",), "approved", OPERATORS, gettext_lazy("Approve")),
    ],
)


def requirements_for(filing: Filing):
    return DocumentRequirement.objects.filter(legal_form=filing.legal_form)


def checklist(filing: Filing) -> list[dict]:
    """Each requirement with the documents uploaded for it (two queries)."""
    documents: dict[int, list[FilingDocument]] = {}
    for document in filing.documents.all():
        documents.setdefault(document.requirement_id, []).append(document)
    return [
        {"requirement": requirement, "documents": documents.get(requirement.pk, [])}
        for requirement in requirements_for(filing)
    ]


def missing_documents(filing: Filing) -> list[DocumentRequirement]:
    return [row["requirement"] for row in checklist(filing) if row["requirement"].required and not row["documents"]]


def start_filing(*, actor, organisation: Organisation, kind: str, legal_form: str) -> Filing:
    require_can_act_for(actor, organisation)
    if kind == FilingKind.FILING and legal_form != LegalForm.FILED_COMMUNITY_ORGANISATION:
        raise ValidationError({"legal_form": [_("Filing (备案) is for community organisations.")]})
    if kind == FilingKind.REGISTRATION and legal_form in (LegalForm.FILED_COMMUNITY_ORGANISATION, LegalForm.NOT_FILED):
        raise ValidationError(
            {"legal_form": [_("Registration is for a social association, social service organisation or foundation.")]}
        )
    try:
        with transaction.atomic():
            filing = Filing.objects.create(organisation=organisation, kind=kind, legal_form=legal_form)
            record_event(actor=actor, action="filing.started", subject=filing, to_state=filing.status)
    except IntegrityError:
        raise TransitionError(
            _("%(organisation)s already has a filing in progress; finish it first.") % {"organisation": organisation}
        ) from None
    touch(organisation)
    return filing


def upload_document(*, actor, filing: Filing, requirement: DocumentRequirement, uploaded_file) -> FilingDocument:
    require_can_act_for(actor, filing.organisation)
    if filing.status not in (FilingStatus.DRAFT, FilingStatus.RETURNED):
        raise TransitionError(_("Documents can be added while the filing is a draft or returned for correction."))
    if requirement.legal_form != filing.legal_form:
        raise ValidationError({"requirement": [_("That document is not on this filing's checklist.")]})
    check_upload(uploaded_file)
    with transaction.atomic():
        document = FilingDocument.objects.create(
            filing=filing,
            requirement=requirement,
            file=uploaded_file,
            uploaded_by=actor,
            original_name=uploaded_file.name[-200:],
        )
        record_event(actor=actor, action="filing.document_uploaded", subject=filing, reason=requirement.title)
    touch(filing.organisation)
    return document


def submit_filing(*, actor, filing: Filing) -> Filing:
    require_can_act_for(actor, filing.organisation)

    def guard(locked):
        missing = missing_documents(locked)
        if missing:
            raise TransitionError(
                _("Some required documents are missing: %(titles)s.") % {"titles": "、".join(r.title for r in missing)}
            )

    def apply(locked):
        locked.submitted_at = timezone.now()

    def tell(locked):
        notify(
            "filing.submitted",
            to=operators(),
            context={"organisation": locked.organisation.name, "filing": locked},
        )

    return run_transition(
        workflow=FILING, obj=filing, name="submit", actor=actor, guard=guard, apply=apply, notify=tell
    )


def return_filing(*, actor, filing: Filing, comments: str) -> Filing:
    def apply(locked):
        locked.correction_comments = comments

    return run_transition(
        workflow=FILING, obj=filing, name="return", actor=actor, reason=comments, apply=apply, notify=_tell_members
    )


def approve_filing(*, actor, filing: Filing, certificate_number: str, approved_on: datetime.date | None) -> Filing:
    def guard(locked):
        problems = {}
        if not (certificate_number or "").strip():
            problems["certificate_number"] = [_("Enter the certificate number.")]
        if approved_on is None:
            problems["approved_on"] = [_("Enter the date of approval.")]
        elif approved_on > timezone.localdate():
            problems["approved_on"] = [_("The date of approval cannot be in the future.")]
        if problems:
            raise ValidationError(problems)

    def apply(locked):
        locked.certificate_number = certificate_number.strip()
        locked.approved_on = approved_on
        locked.correction_comments = ""
        Organisation.objects.filter(pk=locked.organisation_id).update(legal_form=locked.legal_form)

    return run_transition(
        workflow=FILING, obj=filing, name="approve", actor=actor, guard=guard, apply=apply, notify=_tell_members
    )


def _tell_members(locked: Filing) -> None:
    notify(
        "filing.changed",
        to=members_of(locked.organisation),
        context={
            "filing": locked,
            "state": FilingStatus(locked.status).label,
            "comments": locked.correction_comments if locked.status == FilingStatus.RETURNED else "",
        },
    )


# --- Annual reports and reminders -------------------------------------------------------------------


def schedule_annual_report(*, actor, organisation: Organisation, year: int, due_on: datetime.date) -> AnnualReport:
    if not is_operator(actor):
        raise PermissionDenied(_("Only hub operators schedule annual reports."))
    with transaction.atomic():
        report, created = AnnualReport.objects.get_or_create(
            organisation=organisation, year=year, defaults={"due_on": due_on}
        )
        if not created:
            raise TransitionError(
                _("The %(year)s annual report of %(organisation)s is already scheduled.")
                % {"year": year, "organisation": organisation},
                field="year",
            )
        record_event(actor=actor, action="annual_report.scheduled", subject=report, reason=due_on.isoformat())
    return report


def reschedule_annual_report(
    *, actor, report: AnnualReport, due_on: datetime.date | None = None, **other
) -> AnnualReport:
    """Operators correct the due date of a report not yet submitted (the organisation and year stay)."""
    if not is_operator(actor):
        raise PermissionDenied(_("Only hub operators schedule annual reports."))
    if other:
        raise TransitionError(_("Only the due date of a scheduled annual report can be changed."))
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != AnnualReportStatus.DUE:
            raise TransitionError(_("This annual report has already been submitted."), field="due_on")
        if due_on is None or due_on == locked.due_on:
            return locked
        before = locked.due_on
        locked.due_on = due_on
        locked.overdue = due_on < timezone.localdate()
        locked.save(update_fields=["due_on", "overdue"])
        record_event(
            actor=actor,
            action="annual_report.rescheduled",
            subject=locked,
            reason=f"{before.isoformat()} → {due_on.isoformat()}",
        )
    return locked


def submit_annual_report(*, actor, report: AnnualReport, uploaded_file) -> AnnualReport:
    require_can_act_for(actor, report.organisation)
    check_upload(uploaded_file)
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != AnnualReportStatus.DUE:
            raise TransitionError(_("This annual report has already been submitted."))
        locked.file = uploaded_file
        locked.status = AnnualReportStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.overdue = locked.due_on < timezone.localdate()
        locked.save()
        record_event(
            actor=actor, action="annual_report.submitted", subject=locked, from_state="due", to_state="submitted"
        )
    touch(report.organisation)
    return locked


def send_due_reminders(*, today: datetime.date | None = None) -> dict:
    """Remind organisations 30, 7 and 1 days before an annual report is due; mark overdue ones.

    Idempotent: each reminder has a key, so a job that runs twice (or is retried) sends nothing twice.
    """
    today = today or timezone.localdate()
    sent = overdue = 0
    due = AnnualReport.objects.filter(status=AnnualReportStatus.DUE).select_related("organisation")
    for report in due:
        step = rung(due_on=report.due_on, today=today, days_before=REMIND_DAYS_BEFORE)
        if step is None:
            continue
        if step == OVERDUE and not report.overdue:
            AnnualReport.objects.filter(pk=report.pk).update(overdue=True)
            overdue += 1
        if remind(
            organisation=report.organisation,
            key=f"annual-report-{report.pk}-{step}",
            event="annual_report.due",
            context={"year": report.year, "date": report.due_on.isoformat(), "overdue": step == OVERDUE},
            due_on=report.due_on,
        ):
            AnnualReport.objects.filter(pk=report.pk).update(last_reminded_on=today)
            sent += 1
    return {"reminders": sent, "newly_overdue": overdue}

"""What the three audiences' project pages share: running a form through a service, the project record."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.errors import run_service
from incubator.funding.models import Term
from incubator.ids import parse_id
from incubator.permissions import is_operator
from incubator.projects import services
from incubator.projects.forms import EvidenceForm, ReviewForm
from incubator.projects.models import (
    EvidenceSubject,
    IndicatorValue,
    ProjectStatus,
    RectificationStatus,
    ReportKind,
    SpendingLine,
)

# --- Helpers --------------------------------------------------------------------------------------------

S = ProjectStatus


def _attempt(request, form, call) -> bool:
    """Run a service; a refusal lands on the form, shown again with the values as typed."""
    return run_service(request, call, form=form)[0]


def _act(request, call, success) -> None:
    """A button without a form: the outcome is a message."""
    run_service(request, call, success=success)


def _back(name, project, anchor=""):
    return redirect(f"{reverse(name, args=[project.pk])}{'#' + anchor if anchor else ''}")


def _objectives(project):
    terms = list(Term.values)
    return sorted(project.application.objectives.all(), key=lambda o: (terms.index(o.term), o.pk))


def _record(project, progress=None) -> dict:
    """What everyone who follows the project sees: progress, activities, reports (the final one with its
    financial statement, a returned one with the reason), supervision, evaluation."""
    rectifications = list(project.rectifications.select_related("visit"))
    reports = list(
        project.reports.prefetch_related(
            Prefetch("values", IndicatorValue.objects.select_related("objective").order_by("objective_id")),
            Prefetch("spending", SpendingLine.objects.select_related("budget_line")),
        )
    )
    for report in reports:
        report.statement = services.statement_of(report)
    return {
        "project": project,
        "application": project.application,
        "progress": services.progress(project) if progress is None else progress,
        "activities": list(project.activities.all()),
        "beneficiaries": services.beneficiaries_reached(project),
        "reports": reports,
        "final_report": next((r for r in reports if r.kind == ReportKind.FINAL and r.returned_at is None), None),
        "visits": list(project.visits.all()),
        "rectifications": rectifications,
        "mid_term_reviews": list(project.mid_term_reviews.all()),
        "evaluations": list(project.evaluations.prefetch_related("scores__objective")),
        "today": timezone.localdate(),
    }


# --- Evidence (佐证材料) on every record -------------------------------------------------------------------

# Which records each audience joins files to (operators: all of them, on the back office's page).
PORTAL_EVIDENCE = (
    EvidenceSubject.ACTIVITY,
    EvidenceSubject.REPORT,
    EvidenceSubject.RECTIFICATION,
    EvidenceSubject.CONTRACT,
)
SUPERVISION_EVIDENCE = (EvidenceSubject.VISIT,)
EVALUATION_EVIDENCE = (EvidenceSubject.EVALUATION,)


def with_evidence(context, user, subjects, bound=None) -> None:
    """Give each record of the page (and the project, for the signed contract) its files and, where this
    person may add to it, a form: ``evidence_items``, ``evidence_form``, ``evidence_can_add``,
    ``evidence_can_remove``, ``evidence_closed`` (why only the hub may remove files now), ``evidence_key``."""
    project = context["project"]
    grouped = services.evidence_by_record(project)
    operator = is_operator(user)
    bound = bound or {}
    records = [
        *context["activities"],
        *context["reports"],
        *context["rectifications"],
        *context["visits"],
        *context["evaluations"],
    ]
    for record in [project, *records]:
        key = services.record_key(record)
        subject = key.partition("-")[0]
        closed = services.closed_reason(record)
        add_closed = services.closed_reason(record, adding=True)
        mine = subject in subjects
        record.evidence_key = key
        record.evidence_items = grouped.get(key, [])
        record.evidence_can_add = mine and (operator or not add_closed)
        record.evidence_can_remove = mine and (operator or not closed)
        # Only the organisation's own photos of its work go public, and only the organisation decides.
        record.evidence_publishable = mine and subject in services.PUBLISHABLE
        record.evidence_closed = closed
        if record.evidence_can_add:
            record.evidence_form = bound.get(key) or EvidenceForm(key=key, publishable=record.evidence_publishable)


def evidence_post(request, project, page, subjects):
    """The evidence buttons of a project page: add a file, remove one, show or hide a photo. Returns
    ``(bound forms by record, None)`` when an upload is refused, else ``(None, redirect)``."""
    action = request.POST.get("action")
    if action == "evidence_add":
        key = request.POST.get("record", "")
        record = services.find_record(project, key)
        if record is None or key.partition("-")[0] not in subjects:
            messages.error(request, _("This record does not take files here."))
            return None, _back(page, project)
        publishable = key.partition("-")[0] in services.PUBLISHABLE
        form = EvidenceForm(request.POST, request.FILES, key=key, publishable=publishable)
        if form.is_valid() and _attempt(
            request,
            form,
            lambda: services.add_evidence(
                actor=request.user,
                record=record,
                uploaded_file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                public=form.cleaned_data.get("public", False),
            ),
        ):
            messages.success(request, _("The file is added."))
            return None, _back(page, project, f"evidence-{key}")
        return {key: form}, None
    evidence = get_object_or_404(project.evidence, pk=parse_id(request.POST.get("evidence")))
    if action == "evidence_remove":
        _act(
            request,
            lambda: services.remove_evidence(
                actor=request.user, evidence=evidence, reason=request.POST.get("reason", "")[:500]
            ),
            _("The file is removed."),
        )
    else:
        public = request.POST.get("public") == "1"
        _act(
            request,
            lambda: services.set_public(actor=request.user, evidence=evidence, public=public),
            _("The photo is shown on the project's public page.") if public else _("The photo is private again."),
        )
    return None, _back(page, project, f"evidence-{evidence.key}")


EVIDENCE_ACTIONS = ("evidence_add", "evidence_remove", "evidence_public")


def _review_forms(rectifications, sources, bound=None) -> list:
    """Answered rectifications this person reviews get a form (the refused one keeps its input)."""
    bound = bound or {}
    waiting = [r for r in rectifications if r.status == RectificationStatus.ANSWERED and r.source in sources]
    for r in waiting:
        r.review_form = bound.get(r.pk) or ReviewForm(auto_id=f"id_review{r.pk}_%s")
    return waiting


def _review(request, project, rectifications, sources, page, anchor="rectifications"):
    """Accept or return an answered rectification; returns a bound form when refused."""
    rectification = next(
        (r for r in rectifications if r.pk == parse_id(request.POST.get("rectification")) and r.source in sources), None
    )
    if rectification is None:
        messages.error(request, _("This rectification is not yours to review."))
        return None, _back(page, project, anchor)
    form = ReviewForm(request.POST, auto_id=f"id_review{rectification.pk}_%s")
    if form.is_valid() and _attempt(
        request,
        form,
        lambda: services.review_rectification(
            actor=request.user,
            rectification=rectification,
            accept=form.cleaned_data["decision"] == "accept",
            comment=form.cleaned_data["comment"],
        ),
    ):
        if form.cleaned_data["decision"] == "accept":
            messages.success(request, _("Rectification accepted."))
        else:
            messages.success(request, _("The answer was returned to the organisation with your comment."))
        return None, _back(page, project, anchor)
    return {rectification.pk: form}, None


INVALID = gettext_lazy("Nothing was saved: please correct the problems shown below.")

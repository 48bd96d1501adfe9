"""The organisation's project pages (/portal/projects/…)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from incubator.ids import parse_id
from incubator.orgs import services as org_services
from incubator.orgs.portal import portal_login_required
from incubator.permissions import is_operator
from incubator.projects import documents, services
from incubator.projects.forms import ActivityForm, AnswerForm, CorrectActivityForm, CorrectReportForm, ReportForm
from incubator.projects.models import (
    RectificationStatus,
    ReportKind,
)
from incubator.projects.views.common import (
    EVIDENCE_ACTIONS,
    INVALID,
    PORTAL_EVIDENCE,
    S,
    _attempt,
    _back,
    _objectives,
    _record,
    evidence_post,
    with_evidence,
)

# --- The organisation's portal ----------------------------------------------------------------------------


def organisation_projects(user):
    """The projects of the organisations this person acts for."""
    return services.projects_for(user).filter(application__organisation__in=org_services.organisations_of(user))


@portal_login_required
def portal_projects(request):
    projects = organisation_projects(request.user).annotate(
        open_rectifications=Count(
            "rectifications", filter=Q(rectifications__status=RectificationStatus.OPEN), distinct=True
        )
    )
    return render(
        request,
        "projects/portal/projects.html",
        {"projects": projects, "today": timezone.localdate(), "implementing": services.IMPLEMENTING},
    )


def _next_steps(project, rectifications, reports, today) -> list[dict]:
    """What the organisation must do now, the urgent first."""
    steps = []

    def add(text, urgent=False):
        steps.append({"text": text, "urgent": urgent})

    for r in rectifications:
        if r.status != RectificationStatus.OPEN:
            continue
        values = {"requirement": r.requirement, "date": r.due_on.isoformat()}
        if r.due_on < today:
            add(_("Overdue: the rectification “%(requirement)s” was due on %(date)s. Answer it now.") % values, True)
        elif r.answer:
            add(_("Your answer was returned: answer the rectification “%(requirement)s” again by %(date)s.") % values)
        else:
            add(_("Answer the rectification “%(requirement)s” by %(date)s.") % values)
    status = project.status
    final_sent = any(r.kind == ReportKind.FINAL and r.returned_at is None for r in reports)
    returned = _returned_final_report(reports)
    if status == S.FINAL_REPORT_DUE and returned and not final_sent:
        add(
            _("The hub returned your final report: “%(reason)s”. Correct it and submit it again.")
            % {"reason": returned.return_reason},
            True,
        )
    if status == S.CONTRACTING:
        add(_("Sign the contract: download it below, sign it and return it to the hub."))
    elif status in services.IMPLEMENTING:
        add(_("Log each activity as it happens and report your indicators at the end of each period."))
        if status == S.MID_TERM_REVIEW:
            add(_("Your supervisor is carrying out the mid-term review: you may submit a mid-term report."))
        elif not project.mid_term_accepted_on:
            add(_("The mid-term review is still to come; its acceptance releases the second installment."))
        if project.final_report_due_on and not final_sent:
            values = {"date": project.final_report_due_on.isoformat()}
            if project.final_report_overdue or project.final_report_due_on < today:
                add(_("Overdue: the final report was due on %(date)s.") % values, True)
            else:
                add(_("Final report due on %(date)s.") % values)
    elif status == S.FINAL_REPORT_SUBMITTED:
        add(
            _(
                "Your final report is in: the hub checks it and its financial statement, then opens the residents' "
                "appraisal."
            )
        )
    elif status == S.FINAL_REPORT_ACCEPTED:
        add(_("Your final report was accepted; the hub will open the residents' appraisal."))
    elif status == S.APPRAISAL:
        add(_("Residents are appraising the project; invite the people you served to answer."))
    elif status == S.EVALUATING:
        add(_("The third-party evaluator is assessing the project."))
    elif status == S.EVALUATED:
        add(
            _("Evaluated (%(grade)s): the hub's acceptance will release the last installment.")
            % {"grade": project.get_grade_display()}
        )
    elif status == S.CLOSED:
        add(
            _("The project was closed on %(date)s.")
            % {"date": project.closed_on.isoformat() if project.closed_on else ""}
        )
    elif status == S.TERMINATED:
        add(_("The project was terminated: %(reason)s") % {"reason": project.termination_reason})
    steps.sort(key=lambda s: not s["urgent"])
    return steps


def _returned_final_report(reports):
    """The last final report the hub returned, if any."""
    returned = [r for r in reports if r.kind == ReportKind.FINAL and r.returned_at is not None]
    return max(returned, key=lambda r: (r.returned_at, r.pk), default=None)


def _report_initial(project, reports, today) -> dict:
    """The next period starts the day after the last one reported; the kind follows the project's state. A final
    report returned for correction comes back as it was sent, to be corrected rather than typed again."""
    counted = [r for r in reports if r.returned_at is None]
    last_end = max((r.period_end for r in counted), default=None)
    start = last_end + datetime.timedelta(days=1) if last_end else project.starts_on
    kind = {S.MID_TERM_REVIEW: ReportKind.MID_TERM, S.FINAL_REPORT_DUE: ReportKind.FINAL}.get(
        project.status, ReportKind.PERIODIC
    )
    initial = {"kind": kind, "period_start": start if start and start <= today else None, "period_end": today}
    returned = _returned_final_report(reports)
    if returned and project.status == S.FINAL_REPORT_DUE:
        initial.update(
            {"period_start": returned.period_start, "period_end": returned.period_end, "summary": returned.summary}
        )
        for value in returned.values.all():
            initial[f"value_{value.objective_id}"] = value.actual
            initial[f"note_{value.objective_id}"] = value.note
        for line in returned.spending.all():
            initial[services.spending_field(line.budget_line_id)] = line.actual
            initial[services.spending_note_field(line.budget_line_id)] = line.note
    return initial


@portal_login_required
def portal_project(request, pk):
    project = get_object_or_404(organisation_projects(request.user), pk=pk)
    objectives = _objectives(project)
    budget = services.approved_budget(project)
    bound = {}
    page = "projects_portal_project"
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "activity":
            form = ActivityForm(request.POST)
            if form.is_valid() and _attempt(
                request,
                form,
                lambda: services.record_activity(actor=request.user, project=project, **_activity(form)),
            ):
                messages.success(request, _("Activity logged."))
                return _back(page, project, "activities")
            bound["activity_form"] = form
        elif action == "report":
            form = ReportForm(request.POST, project=project, objectives=objectives, budget=budget)
            if form.is_valid() and _attempt(
                request,
                form,
                lambda: services.submit_report(
                    actor=request.user,
                    project=project,
                    kind=form.cleaned_data["kind"],
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    summary=form.cleaned_data["summary"],
                    values=form.values(),
                    spending=form.spending(),
                ),
            ):
                messages.success(request, _("Report submitted."))
                return _back(page, project, "reports")
            bound["report_form"] = form
        elif action == "correct_activity":
            activity = get_object_or_404(project.activities, pk=parse_id(request.POST.get("activity")))
            form = CorrectActivityForm(request.POST)
            if form.is_valid() and _attempt(
                request,
                form,
                lambda: services.correct_activity(
                    actor=request.user, activity=activity, reason=form.cleaned_data["reason"], **_activity(form)
                ),
            ):
                messages.success(request, _("The activity is corrected."))
                return _back(page, project, "activities")
            bound["correction"] = (activity, form)
        elif action == "correct_report":
            report = get_object_or_404(project.reports, pk=parse_id(request.POST.get("report")))
            form = CorrectReportForm(request.POST, project=project, objectives=objectives)
            if form.is_valid() and _attempt(
                request,
                form,
                lambda: services.correct_report(
                    actor=request.user,
                    report=report,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    summary=form.cleaned_data["summary"],
                    values=form.values(),
                    reason=form.cleaned_data["reason"],
                ),
            ):
                messages.success(request, _("The report is corrected."))
                return _back(page, project, "reports")
            bound["correction"] = (report, form)
        elif action == "answer":
            rectification = get_object_or_404(project.rectifications, pk=parse_id(request.POST.get("rectification")))
            form = AnswerForm(request.POST, auto_id=f"id_answer{rectification.pk}_%s")
            if form.is_valid() and _attempt(
                request,
                form,
                lambda: services.answer_rectification(
                    actor=request.user, rectification=rectification, answer=form.cleaned_data["answer"]
                ),
            ):
                messages.success(request, _("Your answer was sent for review."))
                return _back(page, project, "rectifications")
            bound["answers"] = {rectification.pk: form}
        elif action in EVIDENCE_ACTIONS:
            bound["evidence"], response = evidence_post(request, project, page, PORTAL_EVIDENCE)
            if response:
                return response
        else:
            return _back(page, project)
        messages.error(request, INVALID)
    context = _record(project)
    with_evidence(context, request.user, PORTAL_EVIDENCE, bound.get("evidence"))
    context["corrector"] = True
    context["hub_corrects"] = is_operator(request.user)  # the hub corrects reviewed records too, with a reason
    context["correction"] = bound.get("correction") or _correction_asked(request, project, objectives)
    today = context["today"]
    implementing = project.status in services.IMPLEMENTING
    report_form = bound.get("report_form")
    if report_form is None and any(project.status in states for states in services.REPORT_STATES.values()):
        report_form = ReportForm(
            project=project,
            objectives=objectives,
            budget=budget,
            initial=_report_initial(project, context["reports"], today),
        )
    answers = bound.get("answers", {})
    for r in context["rectifications"]:
        if r.status == RectificationStatus.OPEN:
            r.answer_form = answers.get(r.pk) or AnswerForm(auto_id=f"id_answer{r.pk}_%s")
    installments = list(project.installments.all())
    context.update(
        {
            "installments": installments,
            "installments_total": sum(i.amount for i in installments),
            "money": services.money_summary(project),
            "next_steps": _next_steps(project, context["rectifications"], context["reports"], today),
            "activity_form": bound.get("activity_form") or (ActivityForm() if implementing else None),
            "report_form": report_form if report_form is not None and report_form.fields["kind"].choices else None,
            "final_report_problems": services.final_report_problems(project)
            if project.status in services.REPORT_STATES[ReportKind.FINAL]
            else [],
        }
    )
    return render(request, "projects/portal/project.html", context)


def _activity(form) -> dict:
    """An activity form's fields as the services take them (logging and correcting alike)."""
    data = form.cleaned_data
    return {
        "held_on": data["held_on"],
        "title": data["title"],
        "description": data["description"],
        "participants": data["participants"] or 0,
        "beneficiaries": data["beneficiaries"] or 0,
    }


def _correction_asked(request, project, objectives):
    """The record the person asked to correct (``?correct=activity-12``), with its form filled from it."""
    kind, _sep, pk = request.GET.get("correct", "").partition("-")
    pk = parse_id(pk)
    if kind == "activity" and pk:
        activity = project.activities.filter(pk=pk).first()
        if activity is not None:
            names = ("held_on", "title", "description", "participants", "beneficiaries")
            return activity, CorrectActivityForm(initial={name: getattr(activity, name) for name in names})
    if kind == "report" and pk:
        report = project.reports.exclude(kind=ReportKind.FINAL).filter(pk=pk).first()
        if report is not None:
            initial = {"period_start": report.period_start, "period_end": report.period_end, "summary": report.summary}
            for value in report.values.all():
                initial[f"value_{value.objective_id}"] = value.actual
                initial[f"note_{value.objective_id}"] = value.note
            return report, CorrectReportForm(project=project, objectives=objectives, initial=initial)
    return None


@portal_login_required
def contract(request, pk):
    project = get_object_or_404(organisation_projects(request.user), pk=pk)
    application = project.application
    response = HttpResponse(documents.contract_pdf(project), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"contract-GYCT-{application.call_id:03d}-{project.pk:04d}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""Back-office views for funded projects: a project's page and the portfolio dashboard.

Thin: selectors read, services act. Every change goes through ``incubator.projects.services``; the
generic listing (``wagtail_hooks.ProjectViewSet``) never edits a project.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.errors import run_service
from incubator.funding.models import Call
from incubator.ids import parse_id
from incubator.permissions import is_operator
from incubator.projects import hub_search, selectors, services
from incubator.projects.documents import contract_number, contract_pdf, missing_details
from incubator.projects.forms import EvidenceForm, HubSearchForm
from incubator.projects.hub_search import search_hub
from incubator.projects.models import VARIANCE_NOTE_PERCENT, Installment, ProgressReport, ProjectStatus
from incubator.spreadsheets import xlsx_response
from incubator.widgets import DateInput
from incubator.workflow import TransitionError


def operator_only(view):
    """Operators only. Anyone else who reached the view gets a 403 page (Wagtail would turn a raised
    PermissionDenied into a redirect). People without access to the admin at all never get here:
    Wagtail sends them to its login page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_operator(request.user):
            return render(request, "projects/admin/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _cleaned(form: forms.Form) -> dict:
    if not form.is_valid():
        problems = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            problems += [f"{label}: {error}" if label else error for error in errors]
        raise ValidationError(problems)
    return form.cleaned_data


DATE = DateInput()


class SignForm(forms.Form):
    signed_on = forms.DateField(label=gettext_lazy("contract signed on"), required=False, widget=DATE)
    signed_by_organisation = forms.CharField(
        label=gettext_lazy("signed for the organisation by"), max_length=100, required=False
    )
    signed_by_hub = forms.CharField(label=gettext_lazy("signed for the hub by"), max_length=100, required=False)


class ReleaseForm(forms.Form):
    installment = forms.IntegerField(widget=forms.HiddenInput)
    released_on = forms.DateField(label=gettext_lazy("released on"), required=False, widget=DATE)
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm the money was paid out."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the release.")},
    )


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} <{obj.email}>" if name else obj.email


class AssignForm(forms.Form):
    person = PersonField(queryset=selectors.supervisors(), label=gettext_lazy("supervisor"))
    agency = forms.CharField(label=gettext_lazy("agency"), max_length=200, required=False)

    def __init__(self, *args, role_queryset=None, person_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if role_queryset is not None:
            self.fields["person"].queryset = role_queryset
        if person_label is not None:
            self.fields["person"].label = person_label


def supervisor_form(data=None, project=None):
    initial = {"person": project.supervisor_id, "agency": project.supervision_agency} if project else None
    return AssignForm(
        data, role_queryset=selectors.supervisors(), person_label=gettext_lazy("supervisor"), initial=initial
    )


def evaluator_form(data=None, project=None):
    initial = {"person": project.evaluator_id, "agency": project.evaluation_agency} if project else None
    return AssignForm(
        data,
        role_queryset=selectors.evaluators(),
        person_label=gettext_lazy("third-party evaluator"),
        initial=initial,
    )


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason for termination"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm the termination: nothing more will be released."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the termination.")},
    )


class ReturnFinalReportForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("why the report is returned"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=ProgressReport._meta.get_field("return_reason").max_length,
        help_text=gettext_lazy("The organisation reads this: say what to correct."),
        error_messages={"required": gettext_lazy("Say why the final report is returned.")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm the return: the organisation corrects the report and submits it again."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the return.")},
    )


class AcceptForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm the acceptance: the final installment is released and the project closes."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the acceptance.")},
    )


# --- Actions ------------------------------------------------------------------------------------------


def _sign(request, project):
    data = _cleaned(SignForm(request.POST))
    services.sign_contract(
        actor=request.user,
        project=project,
        signed_on=data["signed_on"],
        signed_by_organisation=data["signed_by_organisation"],
        signed_by_hub=data["signed_by_hub"],
    )
    return _("The contract is signed; the project is being implemented.")


def _release(request, project):
    data = _cleaned(ReleaseForm(request.POST))
    installment = get_object_or_404(Installment, pk=data["installment"], project=project)
    released = services.release_installment(
        actor=request.user, installment=installment, released_on=data["released_on"]
    )
    return _("Installment %(n)d is recorded as released (%(amount)s yuan).") % {
        "n": released.position,
        "amount": released.amount,
    }


def _assign_supervisor(request, project):
    data = _cleaned(supervisor_form(request.POST))
    services.assign_supervisor(actor=request.user, project=project, supervisor=data["person"], agency=data["agency"])
    return _("The supervisor is assigned.")


def _assign_evaluator(request, project):
    data = _cleaned(evaluator_form(request.POST))
    services.assign_evaluator(actor=request.user, project=project, evaluator=data["person"], agency=data["agency"])
    return _("The third-party evaluator is assigned.")


def _step(request, project):
    name = request.POST.get("step", "")
    if name not in services.BUTTONS:
        raise TransitionError(_("There is no action “%(name)s”.") % {"name": name})
    reason = ""
    if name == "terminate":
        reason = _cleaned(TerminateForm(request.POST))["reason"]
    elif name == "return_final_report":
        reason = _cleaned(ReturnFinalReportForm(request.POST))["reason"]
    elif name == "accept":  # irreversible: it closes the project and records the 尾款 as released
        _cleaned(AcceptForm(request.POST))
    services.take_step(actor=request.user, project=project, name=name, reason=reason)
    return _("Done: %(action)s.") % {"action": services.PROJECT[name].label}


def _publish_progress(request, project):
    services.publish_progress(actor=request.user, project=project, published=True)
    return _("The project's progress is published.")


def _hide_progress(request, project):
    services.publish_progress(actor=request.user, project=project, published=False)
    return _("The project's progress is hidden from the public.")


def _publish_appraisal(request, project):
    services.publish_appraisal(actor=request.user, project=project)
    return _("The appraisal results are published on the notice board.")


def _moderate(request, project):
    ballot = get_object_or_404(project.ballots, pk=parse_id(request.POST.get("ballot")))
    step = request.POST.get("step", "")
    services.moderate_comment(actor=request.user, ballot=ballot, action=step)
    return _("The comment is moderated.")


class AdminEvidenceForm(EvidenceForm):
    """The back office joins a file to any record of the project (a scan the organisation sent by post, the
    evaluation agency's report received by e-mail)."""

    record = forms.ChoiceField(label=gettext_lazy("documents"))
    field_order = ["record", "file", "title"]

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, key="admin", **kwargs)
        self.fields["record"].choices = list(choices)


def _evidence_choices(project):
    return selectors.evidence_choices(
        project,
        project.activities.all(),
        project.reports.all(),
        project.visits.all(),
        project.rectifications.all(),
        project.evaluations.all(),
    )


def _evidence_add(request, project):
    data = _cleaned(AdminEvidenceForm(request.POST, request.FILES, choices=_evidence_choices(project)))
    record = services.find_record(project, data["record"])
    if record is None:
        raise ValidationError(_("This record does not take files here."))
    services.add_evidence(actor=request.user, record=record, uploaded_file=data["file"], title=data["title"])
    return _("The file is added.")


def _evidence_remove(request, project):
    evidence = get_object_or_404(project.evidence, pk=parse_id(request.POST.get("evidence")))
    services.remove_evidence(actor=request.user, evidence=evidence, reason=request.POST.get("reason", "")[:500])
    return _("The file is removed.")


ACTIONS = {
    "evidence_add": _evidence_add,
    "evidence_remove": _evidence_remove,
    "moderate": _moderate,
    "sign": _sign,
    "release": _release,
    "assign_supervisor": _assign_supervisor,
    "assign_evaluator": _assign_evaluator,
    "step": _step,
    "publish_progress": _publish_progress,
    "hide_progress": _hide_progress,
    "publish_appraisal": _publish_appraisal,
}


@operator_only
def project_view(request, pk):
    """A project's page: contract, money, people, workflow, progress, supervision, evaluation, history."""
    project = get_object_or_404(selectors.project_for_page(pk))
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        done = []
        if action is None:
            messages.error(request, _("There is no action “%(name)s”.") % {"name": request.POST.get("action", "")})
        elif run_service(request, lambda: done.append(action(request, project)))[0]:
            messages.success(request, done[0])
        anchor = "#evidence" if request.POST.get("action", "").startswith("evidence_") else ""
        return redirect(reverse("projects_project", args=[project.pk]) + anchor)
    transitions = [t for t in services.PROJECT.available(project, request.user) if t.name in services.BUTTONS]
    appraisal_path = f"/appraisal/{project.appraisal_token}/"
    context = {
        "project": project,
        "application": project.application,
        "transitions": [t for t in transitions if t.name not in ("terminate", "return_final_report")],
        "can_terminate": any(t.name == "terminate" for t in transitions),
        "can_return_final_report": any(t.name == "return_final_report" for t in transitions),
        "return_final_report_form": ReturnFinalReportForm(),
        "can_sign": project.status == ProjectStatus.CONTRACTING,
        "can_assign": project.status not in (ProjectStatus.CLOSED, ProjectStatus.TERMINATED),
        "sign_form": SignForm(
            initial={
                "signed_on": timezone.localdate(),
                "signed_by_organisation": project.application.organisation.responsible_person,
            }
        ),
        "today": timezone.localdate(),
        "supervisor_form": supervisor_form(project=project),
        "evaluator_form": evaluator_form(project=project),
        "terminate_form": TerminateForm(),
        "accept_form": AcceptForm(),
        "appraisal_url": request.build_absolute_uri(appraisal_path),
        "appraisal_qr_url": f"{appraisal_path}qr.svg",
        "appraisal_poster_url": f"{appraisal_path}poster/",
        "appraisal_open": project.status == ProjectStatus.APPRAISAL,
        "contract_missing": missing_details(project),
        "comments": services.appraisal_comments(project, reader=request.user),
        "published_comments_limit": services.PUBLISHED_COMMENTS,
        "variance_threshold": VARIANCE_NOTE_PERCENT,
        "evidence_form": AdminEvidenceForm(choices=_evidence_choices(project), auto_id="id_evidence_%s"),
        **selectors.project_page(project),
    }
    return render(request, "projects/admin/project.html", context)


@operator_only
def contract_view(request, pk):
    """The contract (资助协议) as a PDF, named by its contract number."""
    project = get_object_or_404(selectors.project_for_page(pk))
    response = HttpResponse(contract_pdf(project), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="contract-{contract_number(project)}.pdf"'
    return response


# --- Portfolio ------------------------------------------------------------------------------------------


def _filters(request) -> dict:
    """The call and year chosen on the dashboard; anything unreadable counts as no filter."""
    call = year = None
    raw_call, raw_year = request.GET.get("call", ""), request.GET.get("year", "")
    if raw_call.isdigit():
        call = Call.objects.filter(pk=int(raw_call)).first()
    if raw_year.isdigit() and 1900 < int(raw_year) < 3000:
        year = int(raw_year)
    return {"call": call, "year": year}


@operator_only
def portfolio_view(request):
    chosen = _filters(request)
    data = selectors.portfolio(selectors.portfolio_projects(**chosen))
    return render(
        request,
        "projects/admin/portfolio.html",
        {
            "portfolio": data,
            "calls": selectors.portfolio_calls(),
            "years": selectors.portfolio_years(),
            "chosen_call": chosen["call"],
            "chosen_year": chosen["year"],
            "query": request.GET.urlencode(),
            "bar_height": 18,
            "state_chart_height": 22 * len(data.by_state) + 8,
            "field_chart_height": 22 * len(data.by_field) + 8,
        },
    )


def _yes(value: bool) -> str:
    return _("yes") if value else ""


@operator_only
def portfolio_export(request):
    chosen = _filters(request)
    projects = selectors.portfolio_projects(**chosen)
    data = selectors.portfolio(projects)
    project_rows = [
        [
            p.application.title,
            p.application.organisation.name,
            p.application.call.title,
            p.application.get_service_field_display(),
            p.get_status_display(),
            p.award,
            p.released_total,
            p.award - p.released_total,
            p.spent_total,
            None if p.spent_total is None else p.spent_total - p.statement_budget,
            p.beneficiaries_total,
            _yes(p.final_report_overdue),
            p.overdue_rectifications,
            p.get_grade_display(),
            _yes(p.is_brand),
            p.signed_on,
            p.closed_on,
        ]
        for p in selectors.portfolio_rows(projects)
    ]
    filters = []
    if chosen["call"]:
        filters.append([_("Call"), chosen["call"].title])
    if chosen["year"]:
        filters.append([_("Year the projects start"), chosen["year"]])
    summary = [
        *filters,
        [_("Projects"), data.projects],
        [_("Awarded (yuan)"), data.award],
        [_("Released (yuan)"), data.released],
        [_("Outstanding (yuan)"), data.outstanding],
        [_("Final reports with a financial statement"), data.statements],
        [_("Approved budget of those projects (yuan)"), data.statement_budget],
        [_("Actually spent (yuan)"), data.spent],
        [_("Variance from the approved budget (yuan)"), data.spending_variance],
        [_("Beneficiaries reached"), data.beneficiaries],
        [_("Brand projects"), data.brand_projects],
        [_("Overdue rectifications"), len(data.overdue_rectifications)],
        [_("Final reports overdue"), len(data.overdue_final_reports)],
        [_("Exported on"), timezone.localdate()],
    ]
    return xlsx_response(
        "portfolio.xlsx",
        [
            (
                _("Projects"),
                [
                    _("Project"),
                    _("Organisation"),
                    _("Call"),
                    _("Service field"),
                    _("State"),
                    _("Awarded (yuan)"),
                    _("Released (yuan)"),
                    _("Outstanding (yuan)"),
                    _("Actually spent (yuan)"),
                    _("Variance from the approved budget (yuan)"),
                    _("Beneficiaries reached"),
                    _("Final report overdue"),
                    _("Overdue rectifications"),
                    _("Evaluation grade"),
                    _("Brand project"),
                    _("Contract signed on"),
                    _("Closed on"),
                ],
                project_rows,
            ),
            (_("Summary"), [_("Figure"), _("Value")], summary),
            (
                _("By state"),
                [_("State"), _("Projects"), _("Awarded (yuan)")],
                [[row["label"], row["count"], row["award"]] for row in data.by_state],
            ),
            (
                _("By service field"),
                [_("Service field"), _("Projects"), _("Awarded (yuan)"), _("Released (yuan)")],
                [[row["label"], row["count"], row["award"], row["released"]] for row in data.by_field],
            ),
            (
                _("By grade"),
                [_("Evaluation grade"), _("Projects")],
                [[row["label"], row["count"]] for row in data.by_grade],
            ),
        ],
    )


@operator_only
def hub_search_view(request):
    """The back office's first search area: the hub's records, then links to Wagtail's other searches."""
    form = HubSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    sections = search_hub(query) if query else []
    return render(
        request,
        "projects/admin/hub_search.html",
        {
            "form": form,
            "query": query,
            "sections": sections,
            "found": sum(section.count for section in sections),
            "shown": hub_search.SHOWN,
        },
    )

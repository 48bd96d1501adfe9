"""Back-office views that are not plain listings. Thin: they read through selectors and act through services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column

from incubator.errors import run_service, show_problems
from incubator.ids import parse_id
from incubator.orgs import roster, selectors, services
from incubator.orgs.models import BasicField, Cohort, Incubation, IncubationStatus, Organisation
from incubator.permissions import require_operator
from incubator.spreadsheets import xlsx_response
from incubator.widgets import DateInput
from incubator.workflow import TransitionError, Workflow


def _require_operator(request):
    require_operator(request.user)


class ActionsColumn(Column):
    cell_template_name = "incubator/admin/actions_cell.html"

    def get_value(self, instance):
        return reverse("incubator_actions", args=[instance._meta.model_name, instance.pk])


actions_column = ActionsColumn("actions", label=gettext_lazy("Actions"))


# --- Coverage --------------------------------------------------------------------------------------


def coverage_view(request):
    _require_operator(request)
    data = selectors.coverage()
    fields = [(code, label) for code, label in BasicField.choices]
    chart_max = max([max(r.total, r.target) for r in data.communities] + [1])
    return render(
        request,
        "incubator/admin/coverage.html",
        {
            "coverage": data,
            "fields": fields,
            "chart_max": chart_max,
            "bar_height": 18,
            "chart_height": 30 + 22 * len(data.communities),
        },
    )


def coverage_export(request):
    _require_operator(request)
    data = selectors.coverage()
    field_labels = [str(label) for _code, label in BasicField.choices]
    community_headers = [
        _("Street"),
        _("Community"),
        _("Kind"),
        *field_labels,
        _("“x” characteristic"),
        _("Total"),
        _("Target"),
        _("Gap"),
    ]
    community_rows = [
        [r.street_name, r.community.name, r.kind_label, *r.basic.values(), r.characteristic, r.total, r.target, r.gap]
        for r in data.communities
    ]
    street_rows = [
        [s.street.name, s.hub_organisation or _("missing"), s.communities, s.total, s.gap] for s in data.streets
    ]
    return xlsx_response(
        "coverage.xlsx",
        [
            (_("Communities"), community_headers, community_rows),
            (
                _("Streets"),
                [_("Street"), _("“1” hub-type organisation"), _("Communities"), _("Organisations"), _("Gap")],
                street_rows,
            ),
            (
                _("Average per kind of community"),
                [_("Kind"), _("Communities"), _("Organisations"), _("Average per community"), _("Target average")],
                [[k.kind_label, k.communities, k.organisations, k.average, k.target_average] for k in data.by_kind],
            ),
        ],
    )


# --- Roster import ---------------------------------------------------------------------------------


class RosterUploadForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("Excel workbook (.xlsx)"))


def import_view(request):
    _require_operator(request)
    report = None
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = roster.import_roster(actor=request.user, uploaded_file=form.cleaned_data["workbook"])
        if report.ok:
            messages.success(request, _("%(count)d organisations imported.") % {"count": report.created})
    return render(
        request,
        "incubator/admin/import.html",
        {
            "form": form,
            "report": report,
            "columns": [label for _f, label in roster.COLUMNS],
            "required": [label for name, label in roster.COLUMNS if name in roster.REQUIRED],
        },
    )


def roster_export(request):
    _require_operator(request)
    headers, rows = roster.export_rows(Organisation.objects.all())
    return xlsx_response("organisations.xlsx", [(_("Organisations"), headers, rows)])


# --- Workflow actions ------------------------------------------------------------------------------


class AdmitForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.all(), label=gettext_lazy("cohort"))
    space = forms.CharField(label=gettext_lazy("space or desk"), required=False)
    mentor = forms.ModelChoiceField(queryset=services.operators(), required=False, label=gettext_lazy("mentor"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("milestone"), max_length=200)
    due_on = forms.DateField(label=gettext_lazy("due on"), widget=DateInput())


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=gettext_lazy("done on"), required=False, widget=DateInput())


def _milestone(request, incubation, action):
    """(done, form): a milestone action on the incubation's page; ``form`` keeps what was typed on error."""
    if action == "milestone_add":
        form = MilestoneForm(request.POST)
        if not form.is_valid():
            return False, form
        ok, _result = run_service(
            request,
            lambda: services.add_milestone(actor=request.user, incubation=incubation, **form.cleaned_data),
            form=form,
            success=_("Milestone added."),
        )
        return ok, form
    milestone = get_object_or_404(incubation.milestones, pk=parse_id(request.POST.get("milestone")) or 0)
    if action == "milestone_done":
        form = MilestoneDoneForm(request.POST)
        if not form.is_valid():
            show_problems(request, ValidationError(form.errors))
            return False, None
        call = lambda: services.complete_milestone(  # noqa: E731
            actor=request.user, milestone=milestone, done_on=form.cleaned_data.get("done_on")
        )
        message = _("Milestone marked done.")
    elif action == "milestone_reopen":
        call, message = lambda: services.reopen_milestone(actor=request.user, milestone=milestone), _("Reopened.")
    elif action == "milestone_remove":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm the removal."))
            return False, None
        call, message = lambda: services.remove_milestone(actor=request.user, milestone=milestone), _("Removed.")
    else:
        raise PermissionDenied
    ok, _result = run_service(request, call, success=message)
    return ok, None


def _perform_incubation(request, obj, action):
    if action == "admit":
        form = AdmitForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return services.admit(actor=request.user, incubation=obj, **form.cleaned_data)
    reason = request.POST.get("reason", "")
    step = {"decline": services.decline, "graduate": services.graduate, "exit": services.exit_incubation}.get(action)
    if step is None:
        raise TransitionError(_("There is no action “%(name)s”.") % {"name": action})
    return step(actor=request.user, incubation=obj, reason=reason)


@dataclass(frozen=True)
class ActionsPage:
    """The back-office page of one kind of record with a workflow (``/admin/incubator/actions/<kind>/<pk>/``):
    where its records come from, its workflow, how a button runs its service, what else the page shows.
    Apps above orgs (filings) register theirs, so this module never imports them."""

    queryset: Callable[[], QuerySet]
    workflow: Workflow
    perform: Callable[..., Any]  # (request, record, action name) -> the service's result
    context: Callable[..., dict] = lambda request, record: {}


ACTION_PAGES: dict[str, ActionsPage] = {}


def register_actions_page(kind: str, page: ActionsPage) -> None:
    ACTION_PAGES[kind] = page


register_actions_page(
    "incubation",
    ActionsPage(
        queryset=lambda: Incubation.objects.select_related("organisation", "cohort", "mentor"),
        workflow=services.INCUBATION,
        perform=_perform_incubation,
        context=lambda request, obj: {
            "milestones": obj.milestones.all(),
            "incubating": obj.status == IncubationStatus.INCUBATING,
        },
    ),
)


def _perform_verification(request, obj, action):
    reason = request.POST.get("reason", "")
    if action == "verify":
        return services.verify_organisation(actor=request.user, organisation=obj, reason=reason)
    if action == "unverify":
        return services.withdraw_verification(actor=request.user, organisation=obj, reason=reason)
    raise TransitionError(_("There is no action “%(name)s”.") % {"name": action})


register_actions_page(
    "organisation",
    ActionsPage(
        queryset=lambda: Organisation.objects.select_related("street", "community"),
        workflow=services.VERIFICATION,
        perform=_perform_verification,
        context=lambda request, obj: {"status_label": obj.get_verification_display()},
    ),
)


def actions_view(request, kind, pk):
    _require_operator(request)
    page = ACTION_PAGES.get(kind)
    if page is None:
        raise PermissionDenied
    obj = get_object_or_404(page.queryset(), pk=pk)
    workflow = page.workflow
    milestone_form = MilestoneForm()
    if request.method == "POST" and kind == "incubation" and request.POST.get("action", "").startswith("milestone_"):
        done, form = _milestone(request, obj, request.POST["action"])
        if done or form is None:
            return redirect(reverse("incubator_actions", args=[kind, pk]) + "#milestones")
        milestone_form = form  # what was typed, with the errors next to the fields
    elif request.method == "POST":
        action = request.POST.get("action", "")
        run_service(
            request,
            lambda: page.perform(request, obj, action),
            success=lambda _result: _("Done: %(action)s.") % {"action": workflow[action].label},
        )
        return redirect("incubator_actions", kind=kind, pk=pk)
    from incubator.audit.models import AuditEvent

    context = {
        "kind": kind,
        "object": obj,
        "transitions": workflow.available(obj, request.user),
        "history": AuditEvent.objects.filter(subject_type=obj._meta.label_lower, subject_id=str(obj.pk)).select_related(
            "actor"
        )[:50],
        "admit_form": AdmitForm(),
        "reason_form": ReasonForm(),
        "milestone_form": milestone_form,
        "today": timezone.localdate(),
        **page.context(request, obj),
    }
    return render(request, "incubator/admin/actions.html", context)

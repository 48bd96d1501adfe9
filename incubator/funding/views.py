"""Experts' review pages (/review/), applicants' pages (/portal/calls/…) and the public notice (/notices/…)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.funding import services
from incubator.funding.models import (
    Application,
    BudgetCategory,
    Call,
    CallField,
    Criterion,
    PublicNotice,
    TargetGroup,
    Term,
)
from incubator.orgs import services as org_services
from incubator.orgs.portal import portal_login_required
from incubator.ratelimit import client_address
from incubator.workflow import TransitionError

# --- Experts ----------------------------------------------------------------------------------------


@portal_login_required
def my_reviews(request):
    return render(request, "funding/reviews.html", {"assignments": services.assignments_for(request.user)})


@portal_login_required
def review(request, pk):
    # Only the expert's own assignments exist for them: anything else is a 404, not a hint.
    assignment = get_object_or_404(services.assignments_for(request.user), pk=pk)
    application = assignment.application
    criteria = list(Criterion.objects.filter(call_id=application.call_id))
    if request.method == "POST":
        scores = {
            c.pk: (request.POST.get(f"score_{c.pk}", ""), request.POST.get(f"comment_{c.pk}", "")) for c in criteria
        }
        try:
            services.submit_scores(
                actor=request.user, assignment=assignment, scores=scores, comment=request.POST.get("comment", "")
            )
        except (TransitionError, PermissionDenied) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        except ValidationError as exc:
            for problem in exc.messages:
                messages.error(request, problem)
        else:
            messages.success(request, _("Your scores are submitted."))
        return redirect("funding_review", pk=pk)
    visible = services.scores_visible_to(request.user, application)
    others = [s for s in visible if s.assignment_id != assignment.pk]
    return render(
        request,
        "funding/review.html",
        {
            "assignment": assignment,
            "application": application,
            "criteria": criteria,
            "objectives": application.objectives.all(),
            "budget_lines": application.budget_lines.all(),
            # Colleagues stay anonymous: their scores are shown by criterion, never by name.
            "others": others,
        },
    )


# --- Applicants -------------------------------------------------------------------------------------


@portal_login_required
def open_calls(request):
    now = timezone.now()
    calls = Call.objects.filter(status="open", opens_at__lte=now, closes_at__gt=now).order_by("closes_at")
    # From a call's page on the showcase (?call=<pk>): that call alone, if it still takes applications.
    chosen = request.GET.get("call", "")
    chosen_call = calls.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if chosen_call is not None:
        calls = [chosen_call]
    elif chosen:
        messages.info(request, _("That call no longer takes applications; here are the calls open now."))
    organisations = list(org_services.organisations_of(request.user)[:20])
    rows = [
        {"call": call, "organisations": [(o, services.eligibility_problems(call, o)) for o in organisations]}
        for call in calls
    ]
    mine = Application.objects.filter(organisation__in=organisations).select_related("call", "organisation")
    return render(request, "funding/calls.html", {"rows": rows, "mine": mine, "chosen_call": chosen_call})


@portal_login_required
def start(request, call_pk, organisation_pk):
    organisation = get_object_or_404(org_services.organisations_of(request.user), pk=organisation_pk)
    call = get_object_or_404(Call, pk=call_pk)
    if request.method != "POST":
        return redirect("funding_open_calls")
    try:
        application = services.start_application(actor=request.user, call=call, organisation=organisation)
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, problem)
        return redirect("funding_open_calls")
    return redirect("funding_application", pk=application.pk)


class ApplicationForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("project title"), max_length=200, required=False)
    service_field = forms.ChoiceField(
        label=gettext_lazy("service field"), required=False, choices=[("", "—"), *CallField.choices]
    )
    problem = forms.CharField(label=gettext_lazy("problem and needs addressed"), widget=forms.Textarea, required=False)
    target_groups = forms.MultipleChoiceField(
        label=gettext_lazy("target groups"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    beneficiaries = forms.IntegerField(label=gettext_lazy("beneficiaries"), min_value=0, required=False)
    activities = forms.CharField(label=gettext_lazy("activities and timeline"), widget=forms.Textarea, required=False)
    starts_on = forms.DateField(
        label=gettext_lazy("project starts"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("project ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


BUDGET_ROWS = 6


def _rows_from_post(post):
    objectives, lines, problems = [], [], []
    for term in Term:
        description = post.get(f"objective_{term}_description", "").strip()
        indicator = post.get(f"objective_{term}_indicator", "").strip()
        target = post.get(f"objective_{term}_target", "").strip()
        if description or indicator or target:
            try:
                value = Decimal(target or "0")
            except InvalidOperation:
                problems.append(_("The target of the %(term)s objective is not a number.") % {"term": term.label})
                continue
            objectives.append(
                {
                    "term": term,
                    "description": description,
                    "indicator": indicator,
                    "target": value,
                    "unit": post.get(f"objective_{term}_unit", "").strip(),
                }
            )
    for index in range(BUDGET_ROWS):
        item = post.get(f"budget_{index}_item", "").strip()
        amount = post.get(f"budget_{index}_amount", "").strip()
        if item or amount:
            try:
                value = Decimal(amount)
                if value <= 0 or not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(
                    _("Budget line %(n)d: “%(amount)s” is not an amount in yuan.") % {"n": index + 1, "amount": amount}
                )
                continue
            lines.append(
                {"category": post.get(f"budget_{index}_category", "other"), "item": item or "—", "amount": value}
            )
    return objectives, lines, problems


@portal_login_required
def application_view(request, pk):
    application = get_object_or_404(
        Application.objects.filter(organisation__in=org_services.organisations_of(request.user)).select_related(
            "call", "organisation"
        ),
        pk=pk,
    )
    editable = application.status == "draft"
    if request.method == "POST" and editable:
        form = ApplicationForm(request.POST)
        objectives, lines, problems = _rows_from_post(request.POST)
        if form.is_valid() and not problems:
            fields = {k: v for k, v in form.cleaned_data.items()}
            fields["service_field"] = fields["service_field"] or ""
            try:
                application = services.save_draft(
                    actor=request.user,
                    application=application,
                    fields=fields,
                    objectives=objectives,
                    budget_lines=lines,
                )
                if request.POST.get("action") == "submit":
                    services.submit_application(actor=request.user, application=application)
                    messages.success(request, _("Submitted. You can follow its progress here."))
                else:
                    messages.success(request, _("Draft saved."))
            except (TransitionError, PermissionDenied) as exc:
                messages.error(request, str(getattr(exc, "message", exc)))
            except ValidationError as exc:
                for problem in exc.messages:
                    messages.error(request, problem)
        else:
            for problem in problems:
                messages.error(request, problem)
            for field, errors in form.errors.items():
                messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
        return redirect("funding_application", pk=application.pk)
    initial = {name: getattr(application, name) for name in services.DRAFT_FIELDS}
    objectives = {o.term: o for o in application.objectives.all()}
    lines = list(application.budget_lines.all())
    return render(
        request,
        "funding/application.html",
        {
            "application": application,
            "form": ApplicationForm(initial=initial),
            "editable": editable,
            "terms": [(term, term.label, objectives.get(term)) for term in Term],
            "budget_rows": [(i, lines[i] if i < len(lines) else None) for i in range(BUDGET_ROWS)],
            "categories": BudgetCategory.choices,
            "view": services.applicant_view(application),
            "problems": services.submission_problems(application) if editable else [],
        },
    )


# --- Public notice ----------------------------------------------------------------------------------


class ObjectionForm(forms.Form):
    application = forms.ModelChoiceField(label=gettext_lazy("project title"), queryset=Application.objects.none())
    name = forms.CharField(label=gettext_lazy("your name"), max_length=50)
    contact = forms.CharField(label=gettext_lazy("phone or e-mail"), max_length=100)
    text = forms.CharField(
        label=gettext_lazy("objection"),
        max_length=services.OBJECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("At most 2,000 characters. The hub replies to the phone or e-mail you give."),
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        field.queryset = projects.filter(status="in_notice")
        field.label_from_instance = lambda a: f"{a.organisation.name} — {a.title}"
        field.empty_label = None


def notice_view(request, pk):
    """Anyone may read a notice and object during its period; no account needed."""
    notice = get_object_or_404(PublicNotice.objects.select_related("call"), pk=pk)
    projects = (
        notice.call.applications.filter(status__in=["in_notice", "awarded", "rejected"])
        .select_related("organisation")
        .order_by("rank")
    )
    form = ObjectionForm(request.POST or None, projects=projects)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.lodge_objection(
                    notice=notice,
                    application_id=form.cleaned_data["application"].pk,
                    name=form.cleaned_data["name"],
                    contact=form.cleaned_data["contact"],
                    text=form.cleaned_data["text"],
                    address=client_address(request),
                )
            except TransitionError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your objection is recorded; the hub will reply to you."))
                return redirect("funding_notice", pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "funding/notice.html",
        {
            "notice": notice,
            "projects": projects,
            "form": form,
            "open": notice.starts_on <= today <= notice.ends_on,
            "page_title": _("Public notice: %(call)s") % {"call": notice.call},
            "meta_description": _("Funding decisions of “%(call)s”, on public notice from %(start)s to %(end)s.")
            % {"call": notice.call, "start": notice.starts_on, "end": notice.ends_on},
        },
    )


def add_service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError next to the form's fields it names (the rest above the form)."""
    if hasattr(exc, "error_dict"):
        for field, problems in exc.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        for problem in exc.messages:
            form.add_error(None, problem)


portal_urlpatterns = [
    path("calls/", open_calls, name="funding_open_calls"),
    path("calls/<int:call_pk>/apply/<int:organisation_pk>/", start, name="funding_start"),
    path("applications/<int:pk>/", application_view, name="funding_application"),
]
review_urlpatterns = [
    path("", my_reviews, name="funding_my_reviews"),
    path("<int:pk>/", review, name="funding_review"),
]
notice_urlpatterns = [path("<int:pk>/", notice_view, name="funding_notice")]

"""Experts' review pages (/review/), applicants' pages (/portal/calls/…) and the public notice (/notices/…)."""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from incubator.errors import run_service
from incubator.files import serve_stored
from incubator.funding import selectors, services
from incubator.funding.documents import receipt_pdf
from incubator.funding.models import (
    MONEY,
    Accumulation,
    Application,
    ApplicationAttachment,
    BudgetCategory,
    BudgetLine,
    Call,
    CallField,
    ConflictDeclaration,
    Criterion,
    Direction,
    Objective,
    PublicNotice,
    TargetGroup,
    Term,
)
from incubator.ids import parse_id
from incubator.orgs import services as org_services
from incubator.orgs.portal import portal_login_required
from incubator.ratelimit import client_address
from incubator.widgets import DateInput

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
    conflict_form = ConflictForm()
    if request.method == "POST" and request.POST.get("action") == "conflict":
        conflict_form = ConflictForm(request.POST)
        if conflict_form.is_valid():
            declared, _result = run_service(
                request,
                lambda: services.declare_conflict(
                    actor=request.user, assignment=assignment, reason=conflict_form.cleaned_data["reason"]
                ),
                form=conflict_form,
                success=_("Your conflict of interest is recorded; you no longer review this application."),
            )
            if declared:
                return redirect("funding_my_reviews")
    elif request.method == "POST":
        scores = {
            c.pk: (request.POST.get(f"score_{c.pk}", ""), request.POST.get(f"comment_{c.pk}", "")) for c in criteria
        }
        draft = request.POST.get("action") == "draft"
        service = services.save_score_draft if draft else services.submit_scores
        done, _result = run_service(
            request,
            lambda: service(
                actor=request.user, assignment=assignment, scores=scores, comment=request.POST.get("comment", "")
            ),
            success=_("Your draft scores are saved; nothing counts until you submit.")
            if draft
            else _("Your scores are submitted."),
        )
        if done:
            return redirect("funding_review", pk=pk)
        # Refused: what the expert typed comes back as typed.
        typed = {pk: {"value": value, "comment": comment} for pk, (value, comment) in scores.items()}
        return _render_review(request, assignment, criteria, conflict_form, typed, request.POST.get("comment", ""))
    own = {s.criterion_id: {"value": s.value, "comment": s.comment} for s in assignment.scores.all()}
    return _render_review(request, assignment, criteria, conflict_form, own, assignment.comment)


def _render_review(request, assignment, criteria, conflict_form, typed, comment):
    application = assignment.application
    visible = services.scores_visible_to(request.user, application)
    others = [s for s in visible if s.assignment_id != assignment.pk]
    values = {pk: services.score_value(row["value"]) for pk, row in typed.items()}
    values = {pk: v for pk, v in values.items() if v is not None}
    return render(
        request,
        "funding/review.html",
        {
            **selectors.application_content(application, attachment_url="funding_attachment"),
            "assignment": assignment,
            "rows": [(c, typed.get(c.pk, {})) for c in criteria],
            "comment": comment,
            # What the draft adds up to so far (the page also recomputes it as the expert types).
            "draft_total": services.weighted_total(criteria, values),
            # Colleagues stay anonymous: their scores are shown by criterion, never by name.
            "others": others,
            "conflict_form": conflict_form,
        },
    )


# --- Applicants -------------------------------------------------------------------------------------


@portal_login_required
def open_calls(request):
    now = timezone.now()
    calls = Call.objects.taking_applications(now).order_by("closes_at")
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
    started, application = run_service(
        request, lambda: services.start_application(actor=request.user, call=call, organisation=organisation)
    )
    if not started:
        return redirect("funding_open_calls")
    return redirect("funding_application", pk=application.pk)


class ApplicationForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("project title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Short and concrete, e.g. “老人居家防跌倒”."),
    )
    service_field = forms.ChoiceField(label=gettext_lazy("service field"), required=False)
    target_groups = forms.MultipleChoiceField(
        label=gettext_lazy("target groups"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Who the project serves; a call's quotas count these groups."),
    )
    # The column's own range: PostgreSQL's integer.
    beneficiaries = forms.IntegerField(
        label=gettext_lazy("beneficiaries"),
        min_value=0,
        max_value=2_147_483_647,
        required=False,
        help_text=gettext_lazy("People who will take part or be served directly, counted once each."),
    )
    starts_on = forms.DateField(label=gettext_lazy("project starts"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("project ends"), required=False, widget=DateInput())
    problem = forms.CharField(
        label=gettext_lazy("problem and needs addressed"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=Application._meta.get_field("problem").max_length,
        help_text=gettext_lazy(
            "What residents need, how you know it (survey, forum, visits) and how many are concerned."
        ),
    )
    activities = forms.CharField(
        label=gettext_lazy("activities and timeline"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=Application._meta.get_field("activities").max_length,
        help_text=gettext_lazy("What you will do, month by month, and who does it."),
    )

    SECTIONS = (
        (
            gettext_lazy("The project"),
            ("title", "service_field", "target_groups", "beneficiaries", "starts_on", "ends_on"),
        ),
        (gettext_lazy("Needs"), ("problem",)),
        (gettext_lazy("Plan of activities"), ("activities",)),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the call's own service fields, in words.
        self.fields["service_field"].choices = [("", "—")] + [
            (code, label) for code, label in CallField.choices if code in call.service_fields
        ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


MAX_BUDGET_ROWS = 50


def _limit(model, name):
    return model._meta.get_field(name).max_length


class DraftRowForm(forms.Form):
    """One row of a draft: checked for type and range as typed, complete or not (completeness waits for
    submission). Its fields keep the page's names (``objective_short_target``, ``budget_0_amount``)."""

    def __init__(self, *args, row, **kwargs):
        super().__init__(*args, prefix=str(row), **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("placeholder", field.label)
            field.widget.attrs.setdefault("aria-label", field.label)

    def add_prefix(self, field_name):
        return f"{self.row_name}_{self.prefix}_{field_name}"

    def is_empty(self) -> bool:
        chosen = {"category", *getattr(self, "CHOICES", ())}  # a choice with a default is not typed content
        return not any(v not in (None, "") for k, v in self.cleaned_data.items() if k not in chosen)


class ObjectiveRowForm(DraftRowForm):
    row_name = "objective"
    description = forms.CharField(
        label=gettext_lazy("objective"), max_length=_limit(Objective, "description"), required=False
    )
    indicator = forms.CharField(
        label=gettext_lazy("measurable indicator"), max_length=_limit(Objective, "indicator"), required=False
    )
    target = forms.DecimalField(
        label=gettext_lazy("target value"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    unit = forms.CharField(label=gettext_lazy("unit"), max_length=_limit(Objective, "unit"), required=False)
    accumulation = forms.ChoiceField(
        label=gettext_lazy("how the values add up"),
        choices=Accumulation.choices,
        initial=Accumulation.SUM,
        required=False,
        help_text=gettext_lazy("A rate or a level (satisfaction 90 %) is not added up: its latest value stands."),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("direction"), choices=Direction.choices, initial=Direction.INCREASE_TO, required=False
    )
    CHOICES = ("accumulation", "direction")

    def clean(self):
        data = super().clean()
        # A page that did not send the choices (an older form) keeps the usual kind: a count to increase.
        data["accumulation"] = data.get("accumulation") or Accumulation.SUM
        data["direction"] = data.get("direction") or Direction.INCREASE_TO
        return data


class BudgetRowForm(DraftRowForm):
    row_name = "budget"
    category = forms.ChoiceField(
        label=gettext_lazy("budget category"), choices=[("", "—"), *BudgetCategory.choices], required=False
    )
    item = forms.CharField(
        label=pgettext_lazy("budget line", "item"), max_length=_limit(BudgetLine, "item"), required=False
    )
    amount = forms.DecimalField(label=gettext_lazy("amount (yuan)"), min_value=Decimal("0.01"), required=False, **MONEY)

    def clean(self):
        data = super().clean()
        if data.get("item") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this line in yuan."))
        if not self.is_empty() and not data.get("category") and "category" not in self.errors:
            self.add_error("category", _("Choose the line's budget category."))
        return data


def _budget_row_count(data, saved: int) -> int:
    """As many rows as the page sent (the applicant may have added some), or the saved lines and one empty."""
    if data is not None:
        sent = str(data.get("budget_rows", ""))
        # Rows the page added carry their own index; whichever is larger wins, so no typed line is dropped.
        indices = [
            int(key.split("_")[1]) + 1 for key in data if key.startswith("budget_") and key.split("_")[1].isdigit()
        ]
        count = max([int(sent) if sent.isdigit() else 1, *indices])
        return min(max(count, 1), MAX_BUDGET_ROWS)
    return min(max(saved + 1, 3), MAX_BUDGET_ROWS)


def _draft_forms(application, data=None):
    """The application's form and its rows, bound to what was typed or filled from what is saved."""
    objectives = {o.term: o for o in application.objectives.all()}
    lines = list(application.budget_lines.all())
    count = _budget_row_count(data, len(lines))
    if data is not None:
        form = ApplicationForm(data, call=application.call)
        rows = [ObjectiveRowForm(data, row=term) for term in Term]
        budget = [BudgetRowForm(data, row=i) for i in range(count)]
    else:
        form = ApplicationForm(
            initial={name: getattr(application, name) for name in services.DRAFT_FIELDS}, call=application.call
        )
        rows = [
            ObjectiveRowForm(
                row=term,
                initial={
                    k: getattr(objectives[term], k)
                    for k in ("description", "indicator", "target", "unit", "accumulation", "direction")
                }
                if term in objectives
                else None,
            )
            for term in Term
        ]
        budget = [
            BudgetRowForm(
                row=i,
                initial={"category": lines[i].category, "item": lines[i].item, "amount": lines[i].amount}
                if i < len(lines)
                else None,
            )
            for i in range(count)
        ]
    return form, rows, budget


def _own_application(request, pk):
    return get_object_or_404(
        Application.objects.filter(organisation__in=org_services.organisations_of(request.user)).select_related(
            "call", "organisation"
        ),
        pk=pk,
    )


@portal_login_required
def application_view(request, pk):
    application = _own_application(request, pk)
    editable = application.status == "draft"
    if not editable:
        if request.method == "POST" and request.POST.get("action") in ("accept_offer", "decline_offer"):
            accept = request.POST["action"] == "accept_offer"
            run_service(
                request,
                lambda: services.answer_partial_funding(actor=request.user, application=application, accept=accept),
                success=_("Thank you: the hub is told."),
            )
            return redirect("funding_application", pk=application.pk)
        return _render_submitted(request, application)
    if request.method == "POST":
        form, rows, budget = _draft_forms(application, request.POST)
        if all(f.is_valid() for f in (form, *rows, *budget)):
            objectives = [
                {"term": Term(row.prefix), **{k: v for k, v in row.cleaned_data.items()}}
                for row in rows
                if not row.is_empty()
            ]
            lines = [row.cleaned_data for row in budget if not row.is_empty()]
            fields = dict(form.cleaned_data)
            fields["service_field"] = fields["service_field"] or ""
            saved, draft = run_service(
                request,
                lambda: services.save_draft(
                    actor=request.user,
                    application=application,
                    fields=fields,
                    objectives=objectives,
                    budget_lines=lines,
                ),
                form=form,
            )
            if saved:
                # The draft is saved whatever happens to the submission: a refused submission loses nothing.
                if request.POST.get("action") != "submit":
                    messages.success(request, _("Draft saved."))
                else:
                    run_service(
                        request,
                        lambda: services.submit_application(actor=request.user, application=draft),
                        success=_("Submitted. You can follow its progress here."),
                    )
                return redirect("funding_application", pk=application.pk)
        # What was typed comes back as typed, each problem beside its field.
        return _render_application(request, application, form, rows, budget)
    return _render_application(request, application, *_draft_forms(application))


def _budget_rules(call) -> dict:
    """The cap and standards, for the page's running total (the server checks the same on submission)."""
    standards = [
        {
            "category": s.category,
            "label": str(s.get_category_display()),
            "max_percent": None if s.max_percent is None else float(s.max_percent),
            "max_amount": None if s.max_amount is None else float(s.max_amount),
        }
        for s in call.budget_standards.all()
    ]
    return {
        "cap": call.per_project_cap,
        "standards": call.budget_standards.all(),
        "standards_json": json.dumps(standards, ensure_ascii=False),
        "messages_json": json.dumps(
            {
                "cap": _("The budget of %(total)s yuan exceeds the call's cap of %(cap)s yuan per project."),
                "amount": _("%(category)s come to %(spent)s yuan; the standard allows at most %(max)s yuan."),
                "percent": _(
                    "%(category)s are %(share)s%% of the budget; the standard allows at most %(max)s%%."
                ).replace("%%", "%"),
            },
            ensure_ascii=False,
        ),
    }


def _render_application(request, application, form, rows, budget, *, attachment_form=None):
    saved_total = application.requested_amount
    return render(
        request,
        "funding/application.html",
        {
            "application": application,
            "form": form,
            "editable": True,
            "objective_rows": [(Term(row.prefix).label, row) for row in rows],
            "budget_rows": budget,
            "budget_count": len(budget),
            "budget": _budget_rules(application.call),
            "saved_total": saved_total,
            "objective_errors": any(row.errors for row in rows),
            "budget_errors": any(row.errors for row in budget),
            "view": services.applicant_view(application),
            "problems": services.submission_problems(application),
            "attachments": application.attachments.all(),
            "attachment_form": attachment_form or AttachmentForm(),
            "max_attachments": services.MAX_ATTACHMENTS,
        },
    )


def _render_submitted(request, application):
    """What the applicant submitted, read-only, with the receipt to print or download."""
    return render(
        request,
        "funding/application_submitted.html",
        {
            **selectors.application_content(application, attachment_url="funding_attachment"),
            "view": services.applicant_view(application),
            "history": selectors.application_history(application, for_applicant=True),
        },
    )


class AttachmentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What the file is"), max_length=100)
    file = forms.FileField(label=gettext_lazy("file"))


@portal_login_required
def attachments(request, pk):
    """Join a file to the draft, or remove one (with a confirmation on the page)."""
    application = _own_application(request, pk)
    if request.method != "POST":
        return redirect("funding_application", pk=pk)
    if request.POST.get("action") == "remove":
        attachment = get_object_or_404(application.attachments, pk=parse_id(request.POST.get("attachment", "")))
        run_service(
            request,
            lambda: services.remove_attachment(actor=request.user, attachment=attachment),
            success=_("The file is removed."),
        )
        return redirect("funding_application", pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if (
        form.is_valid()
        and run_service(
            request,
            lambda: services.add_attachment(
                actor=request.user,
                application=application,
                title=form.cleaned_data["title"],
                uploaded_file=form.cleaned_data["file"],
            ),
            form=form,
            success=_("The file is added."),
        )[0]
    ):
        return redirect("funding_application", pk=pk)
    # Refused: the draft's page again, with the upload form's errors (the draft itself is untouched).
    return _render_application(request, application, *_draft_forms(application), attachment_form=form)


@portal_login_required
def attachment_download(request, pk):
    """Who may read an application may read its files: its organisation's people, its assigned experts."""
    mine = org_services.organisations_of(request.user)
    attachment = get_object_or_404(
        ApplicationAttachment.objects.filter(
            Q(application__organisation__in=mine) | Q(application__assignments__expert=request.user)
        ).distinct(),
        pk=pk,
    )
    return serve_stored(attachment.file, download_name=attachment.original_name or None)


@portal_login_required
def application_receipt(request, pk):
    application = _own_application(request, pk)
    if not application.submitted_at:
        messages.info(request, _("The receipt is ready once the application is submitted."))
        return redirect("funding_application", pk=pk)
    response = HttpResponse(receipt_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="application-{application.pk}-receipt.pdf"'
    return response


# --- Public notice ----------------------------------------------------------------------------------


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What connects you with the organisation"),
        max_length=ConflictDeclaration._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


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
            lodged, objection = run_service(
                request,
                lambda: services.lodge_objection(
                    notice=notice,
                    application_id=form.cleaned_data["application"].pk,
                    name=form.cleaned_data["name"],
                    contact=form.cleaned_data["contact"],
                    text=form.cleaned_data["text"],
                    address=client_address(request),
                ),
                form=form,
                success=lambda o: (
                    _(
                        "Your objection is recorded under reference %(reference)s; the hub will reply to the contact "
                        "you gave, and the resolution will be shown on this notice under that reference."
                    )
                    % {"reference": o.reference}
                ),
            )
            if lodged:
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
            "upcoming": today < notice.starts_on,
            # Resolved objections, anonymised: the reference, the project and the hub's answer only.
            "resolved": notice.objections.exclude(status="open").select_related("application").order_by("resolved_at"),
            "page_title": _("Public notice: %(call)s") % {"call": notice.call},
            "meta_description": _("Funding decisions of “%(call)s”, on public notice from %(start)s to %(end)s.")
            % {"call": notice.call, "start": notice.starts_on, "end": notice.ends_on},
        },
    )


portal_urlpatterns = [
    path("calls/", open_calls, name="funding_open_calls"),
    path("calls/<int:call_pk>/apply/<int:organisation_pk>/", start, name="funding_start"),
    path("applications/<int:pk>/", application_view, name="funding_application"),
    path("applications/<int:pk>/receipt.pdf", application_receipt, name="funding_application_receipt"),
    path("applications/<int:pk>/attachments/", attachments, name="funding_attachments"),
    path("attachments/<int:pk>/", attachment_download, name="funding_attachment"),
]
review_urlpatterns = [
    path("", my_reviews, name="funding_my_reviews"),
    path("<int:pk>/", review, name="funding_review"),
]
notice_urlpatterns = [path("<int:pk>/", notice_view, name="funding_notice")]

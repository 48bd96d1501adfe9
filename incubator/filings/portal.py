"""The filings' pages of the organisations' portal: start a filing, upload its documents and submit it, submit
an annual report, download the private files; and the filing's part of each card on the portal's home.

Every view finds the record among the signed-in person's own organisations (404 otherwise)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.errors import run_service
from incubator.filings import services as filing_services
from incubator.filings.models import AnnualReport, DocumentRequirement, Filing, FilingKind, FilingStatus
from incubator.orgs import services
from incubator.orgs.models import LegalForm
from incubator.orgs.portal import _own_organisation, portal_login_required


class StartFilingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=FilingKind.choices)
    legal_form = forms.ChoiceField(
        label=gettext_lazy("legal form sought"), choices=[c for c in LegalForm.choices if c[0] != LegalForm.NOT_FILED]
    )


class UploadForm(forms.Form):
    requirement = forms.ModelChoiceField(queryset=DocumentRequirement.objects.all(), widget=forms.HiddenInput)
    file = forms.FileField(label=gettext_lazy("file"))


def home_card_part(ids: list[int]) -> dict[int, dict]:
    """Each organisation's filing (with what is missing) and annual reports, for the portal's home."""
    filings = {f.organisation_id: f for f in Filing.objects.filter(organisation_id__in=ids).order_by("created_at")}
    parts: dict[int, dict] = {pk: {"filing": filings.get(pk), "reports": [], "missing": []} for pk in ids}
    for pk, filing in filings.items():
        parts[pk]["missing"] = filing_services.missing_documents(filing)
    for report in AnnualReport.objects.filter(organisation_id__in=ids).order_by("due_on"):
        parts[report.organisation_id]["reports"].append(report)
    return parts


@portal_login_required
def start_filing(request, pk):
    organisation = _own_organisation(request, pk)
    form = StartFilingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started, filing = run_service(
            request,
            lambda: filing_services.start_filing(actor=request.user, organisation=organisation, **form.cleaned_data),
            form=form,
        )
        if started:
            return redirect("portal_filing", pk=filing.pk)
    return render(
        request,
        "portal/form.html",
        {"form": form, "organisation": organisation, "title": _("Start a filing or registration")},
    )


@portal_login_required
def filing_detail(request, pk):
    filing = get_object_or_404(
        Filing.objects.filter(organisation__in=services.organisations_of(request.user)).select_related("organisation"),
        pk=pk,
    )
    editable = filing.status in (FilingStatus.DRAFT, FilingStatus.RETURNED)
    if request.method == "POST" and editable:
        if request.POST.get("action") == "submit":
            run_service(
                request,
                lambda: filing_services.submit_filing(actor=request.user, filing=filing),
                success=_("Submitted. The hub will review your documents."),
            )
        else:
            form = UploadForm(request.POST, request.FILES)

            def upload():
                if not form.is_valid():
                    raise ValidationError(form.errors)
                return filing_services.upload_document(
                    actor=request.user,
                    filing=filing,
                    requirement=form.cleaned_data["requirement"],
                    uploaded_file=form.cleaned_data["file"],
                )

            run_service(request, upload, success=_("Document uploaded."))
        return redirect("portal_filing", pk=filing.pk)
    return render(
        request,
        "portal/filing.html",
        {
            "filing": filing,
            "checklist": filing_services.checklist(filing),
            "editable": editable,
            "missing": filing_services.missing_documents(filing),
        },
    )


@portal_login_required
def submit_report(request, pk):
    report = get_object_or_404(
        AnnualReport.objects.filter(organisation__in=services.organisations_of(request.user)).select_related(
            "organisation"
        ),
        pk=pk,
    )
    if request.method == "POST" and request.FILES.get("file"):
        run_service(
            request,
            lambda: filing_services.submit_annual_report(
                actor=request.user, report=report, uploaded_file=request.FILES["file"]
            ),
            success=_("Annual report submitted."),
        )
    else:
        messages.error(request, _("Choose the report's file first."))
    return redirect("portal_home")


@portal_login_required
def download(request, kind, pk):
    """Private files: only people who act for the organisation (or operators) get them."""
    from incubator.files import serve_stored
    from incubator.filings.models import FilingDocument

    mine = services.organisations_of(request.user)
    if kind == "filing-document":
        record = get_object_or_404(FilingDocument.objects.filter(filing__organisation__in=mine), pk=pk)
        name = record.original_name or record.file.name
    elif kind == "annual-report":
        record = get_object_or_404(AnnualReport.objects.filter(organisation__in=mine).exclude(file=""), pk=pk)
        name = f"{record.year}{record.file.name[record.file.name.rfind('.') :]}"
    else:
        raise Http404
    return serve_stored(record.file, download_name=name)


urlpatterns = [
    path("files/<str:kind>/<int:pk>/", download, name="portal_download"),
    path("organisations/<int:pk>/filing/", start_filing, name="portal_start_filing"),
    path("filings/<int:pk>/", filing_detail, name="portal_filing"),
    path("annual-reports/<int:pk>/submit/", submit_report, name="portal_submit_report"),
]

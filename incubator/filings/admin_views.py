"""The filings' back-office page: a filing's checklist and its workflow actions, on the shared actions page of
``orgs.admin_views`` (registered here, so orgs never imports filings)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.filings import services
from incubator.filings.models import Filing
from incubator.orgs.admin_views import ActionsPage, register_actions_page
from incubator.widgets import DateInput
from incubator.workflow import TransitionError


class ApproveFilingForm(forms.Form):
    certificate_number = forms.CharField(label=gettext_lazy("certificate number"), required=False)
    approved_on = forms.DateField(label=gettext_lazy("approved on"), required=False, widget=DateInput())


def _perform(request, filing, action):
    if action == "return":
        return services.return_filing(actor=request.user, filing=filing, comments=request.POST.get("reason", ""))
    if action == "approve":
        form = ApproveFilingForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return services.approve_filing(
            actor=request.user,
            filing=filing,
            certificate_number=form.cleaned_data.get("certificate_number", ""),
            approved_on=form.cleaned_data.get("approved_on"),
        )
    if action == "submit":
        return services.submit_filing(actor=request.user, filing=filing)
    raise TransitionError(_("There is no action “%(name)s”.") % {"name": action})


register_actions_page(
    "filing",
    ActionsPage(
        queryset=lambda: Filing.objects.select_related("organisation"),
        workflow=services.FILING,
        perform=_perform,
        context=lambda request, filing: {
            "checklist": services.checklist(filing),
            "missing": services.missing_documents(filing),
            "approve_form": ApproveFilingForm(),
        },
    ),
)

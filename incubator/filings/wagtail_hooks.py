"""The filings' back office in Wagtail's admin: filings (moved only by their workflow, on the actions page),
annual reports (scheduled and rescheduled through their services) and the document checklists."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from incubator.filings import admin_views as _actions_page  # noqa: F401  (registers the filing actions page)
from incubator.filings import services as filing_services
from incubator.filings.models import AnnualReport, DocumentRequirement, Filing
from incubator.orgs import admin_views
from incubator.orgs.viewsets import HubModelViewSet, ServiceOnlyPolicy, create_view, edit_view, index_with

register_permission_policy(Filing, ServiceOnlyPolicy(Filing, {"add", "change", "delete"}), exact_class=True)
# Audited records are corrected through their services, never deleted.
register_permission_policy(AnnualReport, ServiceOnlyPolicy(AnnualReport, {"delete"}), exact_class=True)


class FilingViewSet(HubModelViewSet):
    model = Filing
    icon = "doc-full"
    index_view_class = index_with("organisation")
    form_fields = ["kind", "legal_form"]
    list_display = ["organisation", "kind", "legal_form", "status", "submitted_at", admin_views.actions_column]
    list_filter = ["status", "kind", "legal_form"]
    search_fields = ["organisation__name", "certificate_number"]
    list_export = ["organisation", "kind", "legal_form", "status", "submitted_at", "certificate_number", "approved_on"]
    export_filename = "filings"


class AnnualReportViewSet(HubModelViewSet):
    model = AnnualReport
    icon = "calendar-alt"
    index_view_class = index_with("organisation")
    add_view_class = create_view(filing_services.schedule_annual_report)
    edit_view_class = edit_view(filing_services.reschedule_annual_report, "report")
    form_fields = ["organisation", "year", "due_on"]
    list_display = ["organisation", "year", "due_on", "status", "overdue", "submitted_at"]
    list_filter = ["status", "overdue", "year"]
    search_fields = ["organisation__name"]
    list_export = ["organisation", "year", "due_on", "status", "overdue", "submitted_at"]
    export_filename = "annual-reports"


class DocumentRequirementViewSet(HubModelViewSet):
    model = DocumentRequirement
    icon = "list-ul"
    form_fields = ["legal_form", "title", "guidance", "required", "position"]
    list_display = ["title", "legal_form", "required", "position"]
    list_filter = ["legal_form", "required"]
    list_export = ["legal_form", "title", "guidance", "required", "position"]


class FilingsGroup(ModelViewSetGroup):
    menu_label = _("Filings")
    menu_icon = "doc-full"
    menu_order = 155
    items = (
        FilingViewSet("filings"),
        AnnualReportViewSet("annual_reports"),
        DocumentRequirementViewSet("document_requirements"),
    )


@hooks.register("register_admin_viewset")
def register_filings():
    return FilingsGroup()

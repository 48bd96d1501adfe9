"""The hub's back office in Wagtail's admin: listings with filters, search and Excel export, the coverage
view, roster import and the workflow actions. The filings' screens are registered by the filings app."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from incubator.areas.models import Community, Street
from incubator.orgs import admin_views, services
from incubator.orgs.models import Cohort, Incubation, Organisation
from incubator.orgs.viewsets import HubModelViewSet, ServiceOnlyPolicy, create_view, edit_view, index_with

register_permission_policy(Incubation, ServiceOnlyPolicy(Incubation, {"add", "delete"}), exact_class=True)


class StreetViewSet(HubModelViewSet):
    model = Street
    icon = "site"
    form_fields = ["name", "code"]
    list_display = ["name", "code"]
    search_fields = ["name"]
    list_export = ["name", "code"]
    export_filename = "streets"


class CommunityViewSet(HubModelViewSet):
    model = Community
    icon = "home"
    index_view_class = index_with("street")
    form_fields = ["street", "name", "kind", "households", "organisation_target"]
    list_display = ["name", "street", "kind", "households", "organisation_target"]
    list_filter = ["street", "kind"]
    search_fields = ["name"]
    list_export = ["name", "street", "kind", "households", "organisation_target"]
    export_filename = "communities"


class OrganisationViewSet(HubModelViewSet):
    model = Organisation
    icon = "group"
    index_view_class = index_with("street", "community")
    add_view_class = create_view(services.create_organisation)
    edit_view_class = edit_view(services.update_profile, "organisation")
    form_fields = [
        "name", "legal_form", "uscc", "service_fields", "street", "community", "tier", "basic_field",
        "resident_group", "responsible_person", "contact_phone", "contact_email", "address", "founded_on", "members",
        "volunteers", "description", "listed_publicly", "bank_account_name", "bank_name", "bank_account_number",
    ]  # fmt: skip
    list_display = [
        "name", "legal_form", "tier", "basic_field", "street", "community", "verification", "flagged_inactive_at",
        admin_views.actions_column,
    ]  # fmt: skip
    list_filter = [
        "verification", "legal_form", "tier", "basic_field", "street", "listed_publicly", "flagged_inactive_at",
    ]  # fmt: skip
    search_fields = ["name", "uscc", "responsible_person"]
    list_export = [
        "name", "legal_form", "uscc", "street", "community", "tier", "basic_field", "resident_group",
        "responsible_person", "contact_phone", "contact_email", "founded_on", "members", "volunteers",
        "verification", "last_activity_at", "flagged_inactive_at",
    ]  # fmt: skip
    export_filename = "organisations"
    inspect_view_enabled = True


class CohortViewSet(HubModelViewSet):
    model = Cohort
    icon = "date"
    form_fields = ["name", "starts_on", "ends_on"]
    list_display = ["name", "starts_on", "ends_on"]
    list_export = ["name", "starts_on", "ends_on"]
    search_fields = ["name"]


class IncubationViewSet(HubModelViewSet):
    model = Incubation
    icon = "tasks"
    index_view_class = index_with("organisation", "cohort", "mentor")
    edit_view_class = edit_view(services.update_incubation, "incubation")
    # Status changes only through the actions view, never by editing the field.
    form_fields = ["needs", "plans", "space", "mentor"]
    list_display = ["organisation", "status", "cohort", "space", "mentor", "applied_at", admin_views.actions_column]
    list_filter = ["status", "cohort"]
    search_fields = ["organisation__name"]
    list_export = ["organisation", "status", "cohort", "space", "mentor", "applied_at", "started_on", "ended_on"]
    export_filename = "incubations"


class IncubatorGroup(ModelViewSetGroup):
    menu_label = _("Incubator")
    menu_icon = "group"
    menu_order = 150
    items = (
        OrganisationViewSet("organisations"),
        IncubationViewSet("incubations"),
        CohortViewSet("cohorts"),
        StreetViewSet("streets"),
        CommunityViewSet("communities"),
    )


@hooks.register("register_admin_viewset")
def register_incubator():
    return IncubatorGroup()


@hooks.register("register_admin_urls")
def incubator_urls():
    return [
        path("incubator/coverage/", admin_views.coverage_view, name="incubator_coverage"),
        path("incubator/coverage/export/", admin_views.coverage_export, name="incubator_coverage_export"),
        path("incubator/import/", admin_views.import_view, name="incubator_import"),
        path("incubator/roster.xlsx", admin_views.roster_export, name="incubator_roster_export"),
        path("incubator/actions/<str:kind>/<int:pk>/", admin_views.actions_view, name="incubator_actions"),
    ]


@hooks.register("register_admin_menu_item")
def coverage_menu_item():
    return MenuItem(_("1+n+x coverage"), reverse("incubator_coverage"), icon_name="table", order=140)


@hooks.register("register_admin_menu_item")
def import_menu_item():
    return MenuItem(_("Import roster"), reverse("incubator_import"), icon_name="upload", order=160)

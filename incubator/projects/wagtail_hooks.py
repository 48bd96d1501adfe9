"""Funded projects in the back office: the listing (search, filters, Excel export), each project's page and
the portfolio dashboard. Projects are never added, edited or deleted through generic forms: every change
goes through ``incubator.projects.services`` from the project's page."""

from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.search import SearchArea
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from incubator.orgs.viewsets import HubModelViewSet, ServiceOnlyPolicy, index_with
from incubator.permissions import is_operator
from incubator.projects import admin_views
from incubator.projects.models import Project
from incubator.projects.workqueue import work_queues

register_permission_policy(Project, ServiceOnlyPolicy(Project, {"add", "change", "delete"}), exact_class=True)


def project_url(project) -> str:
    return reverse("projects_project", args=[project.pk])


class ManageColumn(Column):
    cell_template_name = "projects/admin/manage_cell.html"

    def get_value(self, instance):
        return project_url(instance)


class ProjectViewSet(HubModelViewSet):
    model = Project
    icon = "tasks"
    menu_label = _("Projects")
    index_view_class = index_with("application__organisation", "application__call")
    # No form_fields: the policy refuses add/change/delete, so no generic form is ever served.
    form_fields = []
    list_display = [
        TitleColumn(
            "title",
            accessor="application.title",
            label=_("Project"),
            sort_key="application__title",
            get_url=project_url,
        ),
        Column(
            "organisation",
            accessor="application.organisation.name",
            label=_("Organisation"),
            sort_key="application__organisation__name",
        ),
        Column("status", accessor="get_status_display", label=_("Status"), sort_key="status"),
        Column("service_field", accessor="application.get_service_field_display", label=_("Service field")),
        Column("call", accessor="application.call.title", label=_("Call")),
        Column("award", label=_("Awarded (yuan)"), sort_key="award"),
        BooleanColumn("is_brand", label=_("Brand project")),
        BooleanColumn("final_report_overdue", label=_("Final report overdue")),
        ManageColumn("manage", label=_("Manage")),
    ]
    list_filter = ["status", "application__service_field", "application__call", "is_brand", "final_report_overdue"]
    search_fields = ["application__title", "application__organisation__name"]
    list_export = [
        "application.title",
        "application.organisation.name",
        "application.call.title",
        "application.get_service_field_display",
        "get_status_display",
        "award",
        "signed_on",
        "starts_on",
        "ends_on",
        "final_report_due_on",
        "final_report_overdue",
        "grade",
        "is_brand",
        "supervision_agency",
        "evaluation_agency",
        "closed_on",
    ]
    export_headings = {
        "application.title": _("Project"),
        "application.organisation.name": _("Organisation"),
        "application.call.title": _("Call"),
        "application.get_service_field_display": _("Service field"),
        "get_status_display": _("Status"),
        "award": _("Awarded (yuan)"),
    }
    export_filename = "funded-projects"


class PortfolioMenuItem(MenuItem):
    def is_shown(self, request):
        return is_operator(request.user)


class PortfolioLink(ViewSet):
    """Only a menu entry in the group; the dashboard's URLs are registered below."""

    name = "projects_portfolio_menu"
    icon = "table"
    menu_label = _("Portfolio dashboard")
    menu_item_class = PortfolioMenuItem

    @cached_property
    def menu_url(self):
        return reverse("projects_portfolio")


class ProjectsGroup(ModelViewSetGroup):
    menu_label = _("Funded projects")
    menu_icon = "tasks"
    menu_order = 156
    items = (ProjectViewSet("projects"), PortfolioLink())


@hooks.register("register_admin_viewset")
def register_projects():
    return ProjectsGroup()


@hooks.register("register_admin_urls")
def projects_urls():
    return [
        path("projects/portfolio/", admin_views.portfolio_view, name="projects_portfolio"),
        path("projects/portfolio/export/", admin_views.portfolio_export, name="projects_portfolio_export"),
        path("projects/<int:pk>/", admin_views.project_view, name="projects_project"),
        path("projects/<int:pk>/contract.pdf", admin_views.contract_view, name="projects_contract_pdf"),
        path("hub-search/", admin_views.hub_search_view, name="hub_search"),
    ]


class WorkQueuePanel(Component):
    """The back office's home shows what is waiting for the hub, in place of Wagtail's page counts."""

    name = "work_queue"
    template_name = "projects/admin/work_queue_panel.html"
    order = 50

    def get_context_data(self, parent_context=None):
        return {"queues": work_queues()}


@hooks.register("construct_homepage_panels")
def add_work_queue(request, panels):
    if is_operator(request.user):
        panels.insert(0, WorkQueuePanel())


@hooks.register("construct_homepage_summary_items", order=1000)  # after Wagtail's own items are added
def drop_page_counts(request, summary_items):
    # "10 pages, 0 images, 0 documents" tells an operator nothing about the hub's work.
    summary_items.clear()


class HubSearchArea(SearchArea):
    def is_shown(self, request):
        return is_operator(request.user)


@hooks.register("register_admin_search_area")
def hub_search_area():
    # Before Wagtail's pages (order 100): the sidebar's search box goes to the first area shown.
    return HubSearchArea(_("Hub records"), reverse("hub_search"), name="hub", icon_name="group", order=50)

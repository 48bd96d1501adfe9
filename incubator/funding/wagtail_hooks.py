from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from incubator.funding import admin_views, services
from incubator.funding.models import Call, Need, RubricTemplate, WorkingDayOverride
from incubator.orgs.viewsets import ServiceOnlyPolicy, index_with

register_permission_policy(Call, ServiceOnlyPolicy(Call, {"delete"}), exact_class=True)


class CallLinkColumn(Column):
    cell_template_name = "incubator/admin/actions_cell.html"

    def get_value(self, instance):
        return reverse("funding_call", args=[instance.pk])


class NeedViewSet(ModelViewSet):
    model = Need
    icon = "help"
    index_view_class = index_with("community__street")
    form_fields = ["community", "title", "description", "gathered_by", "gathered_on", "people_consulted"]
    list_display = ["title", "community", "gathered_by", "gathered_on", "people_consulted"]
    list_filter = ["gathered_by", "community__street"]
    search_fields = ["title", "description"]
    list_export = ["title", "community", "gathered_by", "gathered_on", "people_consulted", "description"]
    export_filename = "needs"


class CallViewSet(ModelViewSet):
    model = Call
    icon = "doc-full-inverse"
    form_fields = list(services.CALL_SETUP_FIELDS)
    list_display = ["title", "status", "budget", "opens_at", "closes_at", CallLinkColumn("manage", label=_("Manage"))]
    list_filter = ["status"]
    search_fields = ["title"]
    list_export = ["title", "status", "budget", "per_project_cap", "opens_at", "closes_at"]
    export_filename = "calls"


class CriteriaLinkColumn(Column):
    cell_template_name = "funding/admin/link_cell.html"

    def get_value(self, instance):
        return reverse("funding_template_rubric", args=[instance.pk])


class RubricTemplateViewSet(ModelViewSet):
    model = RubricTemplate
    icon = "list-ol"
    form_fields = ["name"]
    list_display = ["name", CriteriaLinkColumn("criteria", label=_("Edit the criteria"))]


class WorkingDayOverrideViewSet(ModelViewSet):
    model = WorkingDayOverride
    icon = "calendar"
    form_fields = ["date", "is_working_day", "note"]
    list_display = ["date", "is_working_day", "note"]
    list_export = ["date", "is_working_day", "note"]


class FundingGroup(ModelViewSetGroup):
    menu_label = _("Venture philanthropy")
    menu_icon = "doc-full-inverse"
    menu_order = 155
    items = (
        CallViewSet("calls"),
        NeedViewSet("needs"),
        RubricTemplateViewSet("rubric_templates"),
        WorkingDayOverrideViewSet("working_days"),
    )


@hooks.register("register_admin_viewset")
def register_funding():
    return FundingGroup()


@hooks.register("register_admin_urls")
def funding_urls():
    return [
        path("funding/calls/<int:pk>/", admin_views.call_view, name="funding_call"),
        path("funding/calls/<int:pk>/ranking/", admin_views.ranking_view, name="funding_ranking"),
        path("funding/calls/<int:pk>/rubric/", admin_views.rubric_view, name="funding_call_rubric"),
        path(
            "funding/rubric-templates/<int:template_pk>/criteria/",
            admin_views.rubric_view,
            name="funding_template_rubric",
        ),
    ]

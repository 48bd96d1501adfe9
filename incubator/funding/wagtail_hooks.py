from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from incubator.funding import admin_views, services
from incubator.funding.models import Call, Need, RubricTemplate, WorkingDayOverride
from incubator.orgs.viewsets import HubModelViewSet, ServiceOnlyPolicy, create_view, edit_view, index_with

register_permission_policy(Call, ServiceOnlyPolicy(Call, {"delete"}), exact_class=True)


class CallLinkColumn(Column):
    cell_template_name = "incubator/admin/actions_cell.html"

    def get_value(self, instance):
        return reverse("funding_call", args=[instance.pk])


class NeedViewSet(HubModelViewSet):
    model = Need
    icon = "help"
    index_view_class = index_with("community__street")
    form_fields = ["community", "title", "description", "gathered_by", "gathered_on", "people_consulted"]
    list_display = ["title", "community", "gathered_by", "gathered_on", "people_consulted"]
    list_filter = ["gathered_by", "community__street"]
    search_fields = ["title", "description"]
    list_export = ["title", "community", "gathered_by", "gathered_on", "people_consulted", "description"]
    export_filename = "needs"


class CallViewSet(HubModelViewSet):
    model = Call
    icon = "doc-full-inverse"
    form_fields = list(services.CALL_SETUP_FIELDS)
    create_view_class = create_view(services.create_call)
    edit_view_class = edit_view(services.update_call, "call", extra=("reason",))

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        if not for_update:
            return form_class
        # Once organisations have applied, a change says why (the service requires it, and tells them).
        return type(
            "CallEditForm",
            (form_class,),
            {
                "reason": forms.CharField(
                    label=_("Reason for the change"),
                    max_length=500,
                    required=False,
                    help_text=_("Required once organisations have applied; they are told."),
                )
            },
        )

    list_display = ["title", "status", "budget", "opens_at", "closes_at", CallLinkColumn("manage", label=_("Manage"))]
    list_filter = ["status"]
    search_fields = ["title"]
    list_export = ["title", "status", "budget", "per_project_cap", "opens_at", "closes_at"]
    export_filename = "calls"


class CriteriaLinkColumn(Column):
    cell_template_name = "funding/admin/link_cell.html"

    def get_value(self, instance):
        return reverse("funding_template_rubric", args=[instance.pk])


class RubricTemplateViewSet(HubModelViewSet):
    model = RubricTemplate
    icon = "list-ol"
    form_fields = ["name"]
    list_display = ["name", CriteriaLinkColumn("criteria", label=_("Edit the criteria"))]


class WorkingDayOverrideViewSet(HubModelViewSet):
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
        path("funding/applications/<int:pk>/", admin_views.application_view, name="funding_admin_application"),
        path("funding/attachments/<int:pk>/", admin_views.attachment_view, name="funding_admin_attachment"),
        path(
            "funding/rubric-templates/<int:template_pk>/criteria/",
            admin_views.rubric_view,
            name="funding_template_rubric",
        ),
    ]

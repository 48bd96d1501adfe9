"""Back-office views for venture philanthropy. Thin: selectors read, services act."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.errors import run_service
from incubator.funding import services
from incubator.funding.models import (
    Application,
    BudgetCategory,
    BudgetStandard,
    Call,
    Objection,
    Quota,
    RubricTemplate,
    TargetGroup,
)
from incubator.ids import parse_id, parse_ids
from incubator.permissions import require_operator
from incubator.workflow import TransitionError


def _require_operator(request):
    require_operator(request.user)


class AssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(groups__name=Role.EXPERT, is_active=True).distinct(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Experts"),
    )


def call_view(request, pk):
    """A call's page: its state, its actions, its applications with screening and expert assignment."""
    _require_operator(request)
    call = get_object_or_404(Call, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        application = None
        if request.POST.get("application"):
            application = get_object_or_404(Application, pk=parse_id(request.POST["application"]), call=call)
        steps = {
            "use_template": lambda: services.copy_rubric(
                actor=request.user,
                call=call,
                template=get_object_or_404(RubricTemplate, pk=parse_id(request.POST.get("template", ""))),
            ),
            "open": lambda: services.open_call(actor=request.user, call=call),
            "start_review": lambda: services.start_review(actor=request.user, call=call),
            "accept": lambda: services.screen(actor=request.user, application=application, accept=True),
            "screen_out": lambda: services.screen(
                actor=request.user, application=application, accept=False, reason=request.POST.get("reason", "")
            ),
            "assign": lambda: services.assign_experts(
                actor=request.user,
                application=application,
                experts=list(User.objects.filter(pk__in=parse_ids(request.POST.getlist("experts")))),
            ),
            "publish_notice": lambda: services.publish_notice(actor=request.user, call=call),
            "feedback": lambda: services.release_feedback(
                actor=request.user, application=application, feedback=request.POST.get("feedback", "")
            ),
            "uphold": lambda: services.resolve_objections(
                actor=request.user,
                objections=_objections(call, request.POST.getlist("objection")),
                upheld=True,
                resolution=request.POST.get("resolution", ""),
            ),
            "dismiss": lambda: services.resolve_objections(
                actor=request.user,
                objections=_objections(call, request.POST.getlist("objection")),
                upheld=False,
                resolution=request.POST.get("resolution", ""),
            ),
            "add_standard": lambda: _add_standard(call, request.POST),
            "add_quota": lambda: _add_quota(call, request.POST),
        }
        step = steps.get(action)
        if step is None or (action in ("accept", "screen_out", "assign", "feedback") and application is None):
            messages.error(request, _("There is no action “%(name)s”.") % {"name": action})
        elif run_service(request, step)[0]:
            messages.success(request, _("Done."))
        return redirect("funding_call", pk=call.pk)
    applications = (
        call.applications.exclude(status="draft")
        .select_related("organisation")
        .prefetch_related("assignments__expert")
        .order_by("rank", "submitted_at")
    )
    return render(
        request,
        "funding/admin/call.html",
        {
            "call": call,
            "applications": applications,
            "templates": RubricTemplate.objects.all(),
            "transitions": services.CALL.available(call, request.user),
            "assign_form": AssignForm(),
            "criteria": call.criteria.all(),
            "notice": getattr(call, "notice", None),
            "standards": call.budget_standards.all(),
            "quotas": call.quotas.all(),
            "objection_groups": objection_groups(call),
            "categories": BudgetCategory.choices,
            "groups": TargetGroup.choices,
        },
    )


def _objections(call, pks) -> list[Objection]:
    """The call's objections with these ids (ids that are not numbers, or not the call's, are ignored)."""
    return list(Objection.objects.filter(pk__in=parse_ids(pks), application__call=call))


def objection_groups(call) -> list[dict]:
    """The call's objections, those with the same text about the same project together (a flood of copies is
    read and resolved once), open groups first."""
    groups: dict[tuple, dict] = {}
    for objection in Objection.objects.filter(application__call=call).select_related("application__organisation"):
        key = (objection.application_id, " ".join(objection.text.split()), objection.status, objection.resolution)
        group = groups.setdefault(key, {"application": objection.application, "first": objection, "objections": []})
        group["objections"].append(objection)
    return sorted(groups.values(), key=lambda g: (g["first"].status != "open", g["first"].lodged_at))


def _editable_draft(call):
    if call.status != "draft":
        raise TransitionError(_("Standards and quotas can change only while the call is a draft."))


def _add_standard(call, post):
    _editable_draft(call)
    standard = BudgetStandard(
        call=call,
        category=post.get("category", ""),
        max_percent=post.get("max_percent") or None,
        max_amount=post.get("max_amount") or None,
    )
    standard.full_clean()
    standard.save()


def _add_quota(call, post):
    _editable_draft(call)
    quota = Quota(call=call, target_group=post.get("target_group", ""), min_percent=post.get("min_percent") or None)
    quota.full_clean()
    quota.save()


def ranking_view(request, pk):
    """The ranking with spread and outliers, the proposed allocation honouring quotas, overrides, confirm."""
    _require_operator(request)
    call = get_object_or_404(Call, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "override":
            application = get_object_or_404(Application, pk=parse_id(request.POST.get("application", "")), call=call)
            run_service(
                request,
                lambda: services.set_override(
                    actor=request.user,
                    application=application,
                    decision=request.POST.get("decision", ""),
                    reason=request.POST.get("reason", ""),
                ),
            )
        elif (
            action == "confirm"
            and run_service(request, lambda: services.confirm_allocation(actor=request.user, call=call))[0]
        ):
            messages.success(request, _("The decision is confirmed."))
        return redirect("funding_ranking", pk=call.pk)
    rows = services.ranking(call)
    proposal = services.propose_allocation(call, rows)
    return render(
        request,
        "funding/admin/ranking.html",
        {
            "call": call,
            "proposal": proposal,
            "rows": proposal["rows"],
            "can_decide": call.status == "reviewing",
        },
    )

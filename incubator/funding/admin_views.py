"""Back-office views for venture philanthropy. Thin: selectors read, services act."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.errors import REFUSALS, run_service
from incubator.errors import problems as error_problems
from incubator.files import serve_stored
from incubator.funding import selectors, services
from incubator.funding.forms import CriterionFormSet, QuotaForm, ReopenForm, StandardForm
from incubator.funding.models import (
    MONEY,
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    Assignment,
    BudgetStandard,
    Call,
    CallField,
    ConflictDeclaration,
    Objection,
    Quota,
    RubricTemplate,
    TargetGroup,
)
from incubator.ids import parse_id, parse_ids
from incubator.permissions import require_operator
from incubator.spreadsheets import xlsx_response


def _require_operator(request):
    require_operator(request.user)


class AssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(groups__name=Role.EXPERT, is_active=True).distinct(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Experts"),
    )


def call_view(request, pk):
    """A call's page: its state, its actions, its set-up (standards, quotas, rubric), its applications with
    screening and expert assignment. A refused form comes back with what was typed, next to its field."""
    _require_operator(request)
    call = get_object_or_404(Call, pk=pk)
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        application = None
        if request.POST.get("application"):
            application = get_object_or_404(Application, pk=parse_id(request.POST["application"]), call=call)
        done = _call_action(request, call, action, application, bound)
        if done:
            return redirect("funding_call", pk=call.pk)
        if not bound:
            return redirect("funding_call", pk=call.pk)
    return _render_call(request, call, bound)


def _call_action(request, call, action, application, bound) -> bool:
    """Run one of the page's actions; False with ``bound`` holding the refused form (if it had one)."""
    post, actor = request.POST, request.user

    def with_form(name, form_class, service, **form_kwargs):
        form = form_class(post, **form_kwargs)
        bound[name] = form
        return form.is_valid() and run_service(request, lambda: service(form.cleaned_data), form=form)[0]

    def reason():
        return post.get("reason", "")

    def chosen():
        return list(call.applications.filter(pk__in=parse_ids(post.getlist("applications"))).order_by("pk"))

    standard = _one(BudgetStandard, call, post.get("standard")) if post.get("standard") else None
    quota = _one(Quota, call, post.get("quota")) if post.get("quota") else None
    assignment = (
        get_object_or_404(Assignment, pk=parse_id(post.get("assignment", "")), application__call=call)
        if post.get("assignment")
        else None
    )
    forms_steps = {
        "add_standard": lambda: with_form(
            "add_standard", StandardForm, lambda d: services.save_standard(actor=actor, call=call, **d)
        ),
        "edit_standard": lambda: (
            standard is not None
            and with_form(
                f"standard_{standard.pk}",
                StandardForm,
                lambda d: services.save_standard(actor=actor, call=call, standard=standard, **d),
            )
        ),
        "add_quota": lambda: with_form(
            "add_quota", QuotaForm, lambda d: services.save_quota(actor=actor, call=call, **d)
        ),
        "edit_quota": lambda: (
            quota is not None
            and with_form(
                f"quota_{quota.pk}", QuotaForm, lambda d: services.save_quota(actor=actor, call=call, quota=quota, **d)
            )
        ),
        "reopen": lambda: with_form("reopen", ReopenForm, lambda d: services.reopen_call(actor=actor, call=call, **d)),
    }
    if action in forms_steps:
        done = forms_steps[action]()
        if done:
            messages.success(request, _("Done."))
        return bool(done)
    steps = {
        "use_template": lambda: services.copy_rubric(
            actor=actor,
            call=call,
            template=get_object_or_404(RubricTemplate, pk=parse_id(post.get("template", ""))),
        ),
        "open": lambda: services.open_call(actor=actor, call=call),
        "close": lambda: services.close_call_now(actor=actor, call=call, reason=reason()),
        "start_review": lambda: services.start_review(actor=actor, call=call),
        "accept": lambda: services.screen(actor=actor, application=application, accept=True),
        "screen_out": lambda: services.screen(actor=actor, application=application, accept=False, reason=reason()),
        "assign": lambda: services.assign_experts(
            actor=actor,
            application=application,
            experts=list(User.objects.filter(pk__in=parse_ids(post.getlist("experts")))),
        ),
        "announce": lambda: services.publish_notice(actor=actor, call=call),
        "feedback": lambda: services.release_feedback(
            actor=actor, application=application, feedback=post.get("feedback", "")
        ),
        "uphold": lambda: services.resolve_objections(
            actor=actor,
            objections=_objections(call, post.getlist("objection")),
            upheld=True,
            resolution=post.get("resolution", ""),
        ),
        "dismiss": lambda: services.resolve_objections(
            actor=actor,
            objections=_objections(call, post.getlist("objection")),
            upheld=False,
            resolution=post.get("resolution", ""),
        ),
        "delete_standard": lambda: (
            standard is not None and services.delete_standard(actor=actor, standard=standard, reason=reason())
        ),
        "bulk_accept": lambda: services.screen_many(actor=actor, applications=chosen(), accept=True),
        "bulk_screen_out": lambda: services.screen_many(
            actor=actor, applications=chosen(), accept=False, reason=reason()
        ),
        "bulk_assign": lambda: services.assign_many(
            actor=actor,
            applications=chosen(),
            experts=list(User.objects.filter(pk__in=parse_ids(post.getlist("experts")))),
        ),
        "withdraw": lambda: (
            assignment is not None and services.withdraw_assignment(actor=actor, assignment=assignment, reason=reason())
        ),
        "delete_quota": lambda: quota is not None and services.delete_quota(actor=actor, quota=quota, reason=reason()),
    }
    step = steps.get(action)
    if step is None or (action in ("accept", "screen_out", "assign", "feedback") and application is None):
        messages.error(request, _("There is no action “%(name)s”.") % {"name": action})
        return False
    done = run_service(request, step)[0]
    if done:
        messages.success(request, _("Done."))
    return done


def _one(model, call, raw):
    return get_object_or_404(model, pk=parse_id(raw or ""), call=call)


def _render_call(request, call, bound):
    applications, chosen = selectors.filtered_applications(call, request.GET)
    if request.GET.get("export") == "xlsx":
        return _applications_workbook(call, applications)
    standards = list(call.budget_standards.all())
    quotas = list(call.quotas.all())
    for standard in standards:
        standard.form = bound.get(f"standard_{standard.pk}") or StandardForm(
            initial={
                "category": standard.category,
                "max_percent": standard.max_percent,
                "max_amount": standard.max_amount,
            },
            prefix=None,
        )
    for quota in quotas:
        quota.form = bound.get(f"quota_{quota.pk}") or QuotaForm(
            initial={"target_group": quota.target_group, "min_percent": quota.min_percent}
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
            "all_experts": AssignForm.base_fields["experts"].queryset.order_by("last_name", "first_name", "pk"),
            "criteria": call.criteria.all(),
            "notice": getattr(call, "notice", None),
            "standards": standards,
            "quotas": quotas,
            "setup_editable": call.status in ("draft", "open"),
            "needs_reason": call.applications.exists(),
            "add_standard_form": bound.get("add_standard") or StandardForm(),
            "add_quota_form": bound.get("add_quota") or QuotaForm(),
            "reopen_form": bound.get("reopen") or ReopenForm(),
            "objection_groups": objection_groups(call),
            "chosen": chosen,
            "filters": {
                "statuses": [(v, label) for v, label in ApplicationStatus.choices if v != "draft"],
                "fields": [(v, label) for v, label in CallField.choices if v in call.service_fields],
                "groups": TargetGroup.choices,
            },
            "query": request.GET.urlencode(),
        },
        status=200,
    )


def _applications_workbook(call, applications):
    """The call's applications as the list shows them (filters kept), in words and Shanghai time."""
    headers = [
        _("organisation"),
        _("project title"),
        _("status"),
        _("service field"),
        _("target groups"),
        _("beneficiaries"),
        _("amount requested (yuan)"),
        _("submitted at"),
        _("Experts"),
        _("score"),
        _("rank"),
        _("amount awarded (yuan)"),
    ]
    rows = [
        [
            a.organisation.name,
            a.title,
            a.get_status_display(),
            a.get_service_field_display(),
            [str(TargetGroup(g).label) for g in a.target_groups],
            a.beneficiaries,
            a.requested,
            timezone.localtime(a.submitted_at) if a.submitted_at else None,
            [str(s.expert) for s in a.assignments.all()],
            a.score,
            a.rank,
            a.awarded_amount,
        ]
        for a in applications
    ]
    return xlsx_response(f"{call.title}-{_('applications')}.xlsx", [(_("Applications"), headers, rows)])


def application_view(request, pk):
    """Everything an applicant submitted, its checklist, attachments, history and the experts' reviews."""
    _require_operator(request)
    application = get_object_or_404(Application.objects.select_related("call", "organisation"), pk=pk)
    if application.status == "draft":
        raise Http404  # a draft is the organisation's own until it is submitted
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("accept", "screen_out"):
            run_service(
                request,
                lambda: services.screen(
                    actor=request.user,
                    application=application,
                    accept=action == "accept",
                    reason=request.POST.get("reason", ""),
                ),
                success=_("Done."),
            )
        return redirect("funding_admin_application", pk=pk)
    assignments = list(
        application.assignments.select_related("expert").prefetch_related("scores__criterion").order_by("pk")
    )
    return render(
        request,
        "funding/admin/application.html",
        {
            **selectors.application_content(application, attachment_url="funding_admin_attachment"),
            "call": application.call,
            "checklist": services.submission_problems(application, check_window=False),
            "history": selectors.application_history(application),
            "assignments": assignments,
            "conflicts": ConflictDeclaration.objects.filter(organisation=application.organisation).select_related(
                "expert"
            ),
        },
    )


def attachment_view(request, pk):
    _require_operator(request)
    attachment = get_object_or_404(ApplicationAttachment, pk=pk)
    return serve_stored(attachment.file, download_name=attachment.original_name or None)


def rubric_view(request, pk=None, template_pk=None):
    """Edit a call's rubric (before its review starts) or a rubric template: criteria, guidance, weights."""
    _require_operator(request)
    call = get_object_or_404(Call, pk=pk) if pk is not None else None
    template = get_object_or_404(RubricTemplate, pk=template_pk) if template_pk is not None else None
    criteria = (call or template).criteria.all()
    initial = [{"name": c.name, "guidance": c.guidance, "weight": c.weight} for c in criteria]
    formset = CriterionFormSet(request.POST or None, initial=initial, prefix="criteria")
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        rows = formset.rows()
        try:
            services.save_rubric(actor=request.user, call=call, template=template, rows=rows)
        except REFUSALS as exc:
            problems = [message for _field, message in error_problems(exc)]
        else:
            messages.success(request, _("The rubric is saved."))
            if call is not None:
                return redirect("funding_call", pk=call.pk)
            return redirect("funding_template_rubric", template_pk=template.pk)
    return render(
        request,
        "funding/admin/rubric.html",
        {"call": call, "template": template, "formset": formset, "problems": problems},
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


class OfferForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("amount offered (yuan)"), min_value=Decimal("0.01"), **MONEY)
    reason = forms.CharField(label=gettext_lazy("why less is offered"), max_length=500)


def ranking_view(request, pk):
    """The ranking with spread and outliers, the proposed allocation honouring quotas, overrides, partial funding,
    confirm (with a justification when a quota stays unmet), and the ranking as a workbook."""
    _require_operator(request)
    call = get_object_or_404(Call, pk=pk)
    justification = ""
    if request.method == "POST":
        action = request.POST.get("action")
        application = None
        if request.POST.get("application"):
            application = get_object_or_404(Application, pk=parse_id(request.POST["application"]), call=call)
        if action == "override" and application is not None:
            run_service(
                request,
                lambda: services.set_override(
                    actor=request.user,
                    application=application,
                    decision=request.POST.get("decision", ""),
                    reason=request.POST.get("reason", ""),
                ),
            )
        elif action == "offer" and application is not None:
            form = OfferForm(request.POST)
            if form.is_valid():
                run_service(
                    request,
                    lambda: services.offer_partial_funding(
                        actor=request.user, application=application, **form.cleaned_data
                    ),
                    success=_("The offer is sent to the applicant."),
                )
            else:
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
        elif action == "confirm":
            justification = request.POST.get("justification", "")
            if run_service(
                request,
                lambda: services.confirm_allocation(actor=request.user, call=call, justification=justification),
                success=_("The decision is confirmed."),
            )[0]:
                return redirect("funding_ranking", pk=call.pk)
            # Refused: the page comes back with the justification as typed.
            return _render_ranking(request, call, justification)
        return redirect("funding_ranking", pk=call.pk)
    if request.GET.get("export") == "xlsx":
        return _ranking_workbook(call)
    return _render_ranking(request, call, justification)


def _render_ranking(request, call, justification):
    proposal = services.propose_allocation(call, services.ranking(call))
    return render(
        request,
        "funding/admin/ranking.html",
        {
            "call": call,
            "proposal": proposal,
            "rows": proposal["rows"],
            "can_decide": call.status == "reviewing",
            "justification": justification or call.decision_justification,
        },
    )


def _ranking_workbook(call):
    proposal = services.propose_allocation(call, services.ranking(call))
    headers = [
        _("rank"),
        _("organisation"),
        _("project title"),
        _("score"),
        _("Experts' totals"),
        _("Spread"),
        _("amount requested (yuan)"),
        _("amount (yuan)"),
        _("Proposed"),
        _("manual decision"),
        _("justification of the manual decision"),
    ]
    rows = [
        [
            r["rank"],
            r["application"].organisation.name,
            r["application"].title,
            r["score"],
            " / ".join(str(t) for t in r["expert_totals"]),
            r["spread"],
            r["requested"],
            r["amount"],
            _("Fund") if r["funded"] else _("Do not fund"),
            r["application"].get_override_display(),
            r["application"].override_reason,
        ]
        for r in proposal["rows"]
    ]
    return xlsx_response(f"{call.title}-{_('ranking')}.xlsx", [(_("Ranking"), headers, rows)])

"""The supervisor's pages (/supervision/…)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from incubator.accounts.roles import Role
from incubator.ids import parse_id
from incubator.orgs.portal import portal_login_required
from incubator.permissions import user_has_role
from incubator.projects import services
from incubator.projects.forms import MidTermForm, VisitForm
from incubator.projects.models import (
    FINISHED,
    Project,
    RectificationSource,
    RectificationStatus,
)
from incubator.projects.views.common import (
    EVIDENCE_ACTIONS,
    INVALID,
    SUPERVISION_EVIDENCE,
    S,
    _act,
    _attempt,
    _back,
    _record,
    _review,
    _review_forms,
    evidence_post,
    with_evidence,
)

# --- Supervisors ----------------------------------------------------------------------------------------


def supervised_projects(user):
    """Only the projects this supervisor is assigned to."""
    if not user_has_role(user, {Role.SUPERVISOR}):
        return Project.objects.none()
    return services.projects_for(user).filter(supervisor=user)


SUPERVISION_SOURCES = (RectificationSource.SUPERVISION, RectificationSource.MID_TERM)


@portal_login_required
def supervision_list(request):
    projects = supervised_projects(request.user).annotate(
        to_review=Count(
            "rectifications",
            filter=Q(rectifications__status=RectificationStatus.ANSWERED)
            & ~Q(rectifications__source=RectificationSource.EVALUATION),
            distinct=True,
        ),
        visit_count=Count("visits", distinct=True),
    )
    return render(request, "projects/supervision/projects.html", {"projects": projects})


@portal_login_required
def supervision_project(request, pk):
    project = get_object_or_404(supervised_projects(request.user), pk=pk)
    page = "projects_supervision_project"
    rectifications = list(project.rectifications.all())
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "visit":
            form = VisitForm(request.POST)
            if form.is_valid() and _attempt(
                request,
                form,
                lambda: services.record_visit(
                    actor=request.user,
                    project=project,
                    visited_on=form.cleaned_data["visited_on"],
                    findings=form.cleaned_data["findings"],
                    recommendations=form.cleaned_data["recommendations"],
                    rectification=form.cleaned_data["rectification"],
                    rectify_by=form.cleaned_data["rectify_by"],
                ),
            ):
                messages.success(request, _("Visit recorded."))
                return _back(page, project, "visits")
            bound["visit_form"] = form
        elif action == "start_mid_term":
            _act(
                request,
                lambda: services.start_mid_term_review(actor=request.user, project=project),
                _("The mid-term review has started."),
            )
            return _back(page, project, "mid-term")
        elif action == "mid_term":
            form = MidTermForm(request.POST)
            if form.is_valid() and _attempt(
                request,
                form,
                lambda: services.record_mid_term_review(
                    actor=request.user,
                    project=project,
                    opinion=form.cleaned_data["opinion"],
                    accepted=form.cleaned_data["accepted"] == "yes",
                    rectification=form.cleaned_data["rectification"],
                    rectify_by=form.cleaned_data["rectify_by"],
                ),
            ):
                messages.success(request, _("Mid-term review recorded."))
                return _back(page, project, "mid-term")
            bound["mid_term_form"] = form
        elif action == "mark_reviewed":
            records = project.activities if request.POST.get("kind") == "activity" else project.reports
            record = get_object_or_404(records, pk=parse_id(request.POST.get("record")))
            _act(
                request,
                lambda: services.mark_reviewed(actor=request.user, record=record),
                _("Marked as reviewed: from now on only the hub corrects it."),
            )
            return _back(page, project, "activities" if request.POST.get("kind") == "activity" else "reports")
        elif action == "review":
            bound["reviews"], response = _review(request, project, rectifications, SUPERVISION_SOURCES, page)
            if response:
                return response
        elif action in EVIDENCE_ACTIONS:
            bound["evidence"], response = evidence_post(request, project, page, SUPERVISION_EVIDENCE)
            if response:
                return response
        else:
            return _back(page, project)
        messages.error(request, INVALID)
    context = _record(project)
    with_evidence(context, request.user, SUPERVISION_EVIDENCE, bound.get("evidence"))
    context["reviewer"] = True
    running = project.status not in (S.CONTRACTING, *FINISHED)
    context.update(
        {
            "visit_form": bound.get("visit_form") or (VisitForm() if running else None),
            "can_start_mid_term": project.status == S.ACTIVE and not project.mid_term_accepted_on,
            "mid_term_form": bound.get("mid_term_form")
            or (MidTermForm() if project.status == S.MID_TERM_REVIEW else None),
            "to_review": _review_forms(context["rectifications"], SUPERVISION_SOURCES, bound.get("reviews")),
        }
    )
    return render(request, "projects/supervision/project.html", context)

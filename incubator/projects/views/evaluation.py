"""The third-party evaluator's pages (/evaluation/…)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from incubator.accounts.roles import Role
from incubator.orgs.portal import portal_login_required
from incubator.permissions import user_has_role
from incubator.projects import services
from incubator.projects.forms import EvaluationForm
from incubator.projects.models import (
    Project,
    RectificationSource,
    RectificationStatus,
)
from incubator.projects.views.common import (
    EVALUATION_EVIDENCE,
    EVIDENCE_ACTIONS,
    INVALID,
    S,
    _attempt,
    _back,
    _objectives,
    _record,
    _review,
    _review_forms,
    evidence_post,
    with_evidence,
)

# --- Third-party evaluators -------------------------------------------------------------------------------


def evaluated_projects(user):
    """Only the projects this evaluator is assigned to."""
    if not user_has_role(user, {Role.EVALUATOR}):
        return Project.objects.none()
    return services.projects_for(user).filter(evaluator=user)


EVALUATION_SOURCES = (RectificationSource.EVALUATION,)


@portal_login_required
def evaluation_list(request):
    projects = evaluated_projects(request.user).annotate(
        to_review=Count(
            "rectifications",
            filter=Q(rectifications__status=RectificationStatus.ANSWERED)
            & Q(rectifications__source=RectificationSource.EVALUATION),
            distinct=True,
        )
    )
    return render(request, "projects/evaluation/projects.html", {"projects": projects})


@portal_login_required
def evaluation_project(request, pk):
    project = get_object_or_404(evaluated_projects(request.user), pk=pk)
    page = "projects_evaluation_project"
    objectives = _objectives(project)
    rectifications = list(project.rectifications.all())
    progress = services.progress(project)
    reported = {row["objective"].pk: row["cumulative"] for row in progress}
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "evaluate":
            form = EvaluationForm(request.POST, objectives=objectives, reported=reported)
            if form.is_valid() and _attempt(
                request,
                form,
                lambda: services.submit_evaluation(
                    actor=request.user,
                    project=project,
                    grade=form.cleaned_data["grade"],
                    scores=form.scores(),
                    findings=form.cleaned_data["findings"],
                    recommendations=form.cleaned_data["recommendations"],
                    rectify_by=form.cleaned_data["rectify_by"],
                    grade_reason=form.cleaned_data["grade_reason"],
                ),
            ):
                messages.success(request, _("Your evaluation is submitted."))
                return _back(page, project, "evaluations")
            bound["evaluation_form"] = form
        elif action == "review":
            bound["reviews"], response = _review(request, project, rectifications, EVALUATION_SOURCES, page)
            if response:
                return response
        elif action in EVIDENCE_ACTIONS:
            bound["evidence"], response = evidence_post(request, project, page, EVALUATION_EVIDENCE)
            if response:
                return response
        else:
            return _back(page, project)
        messages.error(request, INVALID)
    context = _record(project, progress)
    with_evidence(context, request.user, EVALUATION_EVIDENCE, bound.get("evidence"))
    context.update(
        {
            "appraisal": services.appraisal_results(project),
            "comments": services.appraisal_comments(project, reader=request.user),
            "evaluation_form": bound.get("evaluation_form")
            or (EvaluationForm(objectives=objectives, reported=reported) if project.status == S.EVALUATING else None),
            "to_review": _review_forms(context["rectifications"], EVALUATION_SOURCES, bound.get("reviews")),
        }
    )
    return render(request, "projects/evaluation/project.html", context)

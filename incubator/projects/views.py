"""Pages of the people who run and follow a project: the organisation (/portal/projects/…), its
supervisor (/supervision/…) and its third-party evaluator (/evaluation/…).

Each page finds the project among those the signed-in person may see in that role (404 otherwise, never a
hint), and every change goes through ``incubator.projects.services``, which checks again. A refused form is
shown again with every problem and the values as typed; nothing is written.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.accounts.roles import Role
from incubator.funding.models import Term
from incubator.orgs import services as org_services
from incubator.orgs.portal import portal_login_required
from incubator.projects import documents, services
from incubator.projects.models import (
    Grade,
    IndicatorValue,
    Project,
    ProjectStatus,
    RectificationSource,
    RectificationStatus,
    ReportKind,
)
from incubator.workflow import TransitionError, user_has_role

S = ProjectStatus


# --- Forms ----------------------------------------------------------------------------------------------


def _date_widget():
    # The HTML date input only understands ISO dates, whatever the language's own format.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(rows=3):
    return forms.Textarea(attrs={"rows": rows})


def _decimal_widget():
    # Text with a numeric keypad on phones: a mistyped value is shown back as typed, not blanked.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def _number(value) -> str:
    return f"{value.normalize():f}" if value is not None else ""


class _Form(forms.Form):
    """Several forms share a page: each kind gets its own element ids."""

    id_prefix = "f"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    def sections(self) -> list:
        """(legend or None, bound fields): how the template lays the form out."""
        return [(None, list(self.visible_fields()))]

    def _per_objective(self, names) -> list:
        return [
            (f"{o.get_term_display()} · {o.indicator}", [self[f"{name}_{o.pk}"] for name in names])
            for o in self.objectives
        ]


class ActivityForm(_Form):
    id_prefix = "activity"
    held_on = forms.DateField(label=gettext_lazy("held on"), initial=timezone.localdate, widget=_date_widget())
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("description"), required=False, widget=_text())
    participants = forms.IntegerField(label=gettext_lazy("participants"), min_value=0, required=False)
    beneficiaries = forms.IntegerField(
        label=gettext_lazy("new beneficiaries"),
        min_value=0,
        required=False,
        help_text=gettext_lazy("People served for the first time by this project."),
    )


class ReportForm(_Form):
    """A report on one period, with one value (and an optional note) per objective of the application."""

    id_prefix = "report"
    kind = forms.ChoiceField(label=gettext_lazy("kind of report"))
    period_start = forms.DateField(label=gettext_lazy("period starts"), widget=_date_widget())
    period_end = forms.DateField(label=gettext_lazy("period ends"), widget=_date_widget())
    summary = forms.CharField(label=gettext_lazy("summary"), widget=_text(4))

    def __init__(self, *args, project, objectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        self.fields["kind"].choices = [
            (kind, label) for kind, label in ReportKind.choices if project.status in services.REPORT_STATES[kind]
        ]
        for objective in objectives:
            self.fields[f"value_{objective.pk}"] = forms.DecimalField(
                label=_("%(indicator)s: value reached in the period") % {"indicator": objective.indicator},
                help_text=_("%(description)s. Target: %(target)s%(unit)s.")
                % {"description": objective.description, "target": _number(objective.target), "unit": objective.unit},
                min_value=0,
                max_digits=12,
                decimal_places=2,
                widget=_decimal_widget(),
            )
            self.fields[f"note_{objective.pk}"] = forms.CharField(
                label=_("note on “%(indicator)s”") % {"indicator": objective.indicator}, max_length=300, required=False
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data

    def sections(self) -> list:
        main = [self[name] for name in ("kind", "period_start", "period_end", "summary")]
        return [(None, main), *self._per_objective(("value", "note"))]

    def values(self) -> dict:
        data = self.cleaned_data
        return {o.pk: (data[f"value_{o.pk}"], data.get(f"note_{o.pk}", "")) for o in self.objectives}


class AnswerForm(_Form):
    answer = forms.CharField(label=gettext_lazy("What was done to rectify"), widget=_text(4))


class ReviewForm(_Form):
    """Accept an answered rectification, or return it with a comment (the button pressed decides)."""

    decision = forms.ChoiceField(
        choices=[("accept", gettext_lazy("Accept")), ("return", gettext_lazy("Return"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=gettext_lazy("comment"),
        required=False,
        widget=_text(2),
        help_text=gettext_lazy("Required when you return the answer."),
    )


class _RectificationFields(_Form):
    rectification = forms.CharField(
        label=gettext_lazy("rectification required (optional)"), required=False, widget=_text()
    )
    rectify_by = forms.DateField(label=gettext_lazy("rectification deadline"), required=False, widget=_date_widget())
    rectification_needed = False

    def clean(self):
        data = super().clean()
        wanted = self.rectification_needed or bool((data.get("rectification") or "").strip())
        if wanted and not (data.get("rectification") or "").strip():
            self.add_error("rectification", _("Say what must be rectified."))
        if wanted and not data.get("rectify_by") and "rectify_by" not in self.errors:
            self.add_error("rectify_by", _("Give the rectification a deadline."))
        if not wanted and data.get("rectify_by"):
            self.add_error("rectification", _("Say what must be rectified."))
        return data


class VisitForm(_RectificationFields):
    id_prefix = "visit"
    field_order = ["visited_on", "findings", "recommendations", "rectification", "rectify_by"]
    visited_on = forms.DateField(label=gettext_lazy("visited on"), initial=timezone.localdate, widget=_date_widget())
    findings = forms.CharField(label=gettext_lazy("findings"), widget=_text(4))
    recommendations = forms.CharField(label=gettext_lazy("recommendations"), required=False, widget=_text())


class MidTermForm(_RectificationFields):
    id_prefix = "midterm"
    field_order = ["opinion", "accepted", "rectification", "rectify_by"]
    opinion = forms.CharField(label=gettext_lazy("opinion"), widget=_text(4))
    accepted = forms.ChoiceField(
        label=gettext_lazy("outcome"),
        widget=forms.RadioSelect,
        choices=[
            ("yes", gettext_lazy("Accepted: the second installment can be released")),
            ("no", gettext_lazy("Not accepted: rectification required")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rectification"].label = gettext_lazy("rectification required (if not accepted)")

    def clean(self):
        if self.data.get("accepted") == "yes":
            return forms.Form.clean(self)  # accepted: nothing to rectify, whatever was typed there
        self.rectification_needed = True
        return super().clean()


class EvaluationForm(_Form):
    """Per objective: the value verified, a score from 0 to 10 and a comment; then the grade."""

    id_prefix = "evaluation"
    grade = forms.ChoiceField(label=gettext_lazy("grade"), choices=[("", "—"), *Grade.choices])
    findings = forms.CharField(label=gettext_lazy("findings"), widget=_text(4))
    recommendations = forms.CharField(label=gettext_lazy("recommendations"), widget=_text(4))
    rectify_by = forms.DateField(
        label=gettext_lazy("rectification deadline"),
        required=False,
        widget=_date_widget(),
        help_text=gettext_lazy("Required when the grade is “Fail”: the recommendations become the rectification."),
    )

    def __init__(self, *args, objectives, reported: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        scoring = {}
        for objective in objectives:
            common = {"indicator": objective.indicator, "unit": objective.unit}
            scoring[f"achieved_{objective.pk}"] = forms.DecimalField(
                label=_("%(indicator)s: value verified") % common,
                help_text=_("Target %(target)s%(unit)s; reported %(reported)s%(unit)s.")
                % {**common, "target": _number(objective.target), "reported": _number(reported.get(objective.pk))},
                min_value=0,
                max_digits=12,
                decimal_places=2,
                widget=_decimal_widget(),
            )
            scoring[f"score_{objective.pk}"] = forms.DecimalField(
                label=_("%(indicator)s: score (0-10)") % common,
                min_value=0,
                max_value=10,
                max_digits=3,
                decimal_places=1,
                widget=_decimal_widget(),
            )
            scoring[f"comment_{objective.pk}"] = forms.CharField(
                label=_("%(indicator)s: comment") % common, required=False, widget=_text(2)
            )
        # The indicators first, then the overall judgement.
        self.fields = {**scoring, **self.fields}

    def clean(self):
        data = super().clean()
        if data.get("grade") == Grade.FAIL and not data.get("rectify_by") and "rectify_by" not in self.errors:
            self.add_error("rectify_by", _("A failing grade needs a rectification deadline."))
        return data

    def sections(self) -> list:
        main = [self[name] for name in ("grade", "findings", "recommendations", "rectify_by")]
        return [*self._per_objective(("achieved", "score", "comment")), (None, main)]

    def scores(self) -> dict:
        data = self.cleaned_data
        return {
            o.pk: (data[f"achieved_{o.pk}"], data[f"score_{o.pk}"], data.get(f"comment_{o.pk}", ""))
            for o in self.objectives
        }


# --- Helpers --------------------------------------------------------------------------------------------


def _attempt(form, call) -> bool:
    """Run a service; a refusal lands on the form, shown again with the values as typed."""
    try:
        call()
    except (TransitionError, PermissionDenied) as exc:
        form.add_error(None, str(getattr(exc, "message", exc)))
    except ValidationError as exc:
        for problem in exc.messages:
            form.add_error(None, problem)
    else:
        return True
    return False


def _act(request, call, success) -> None:
    """A button without a form: the outcome is a message."""
    try:
        call()
    except (TransitionError, PermissionDenied) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, problem)
    else:
        messages.success(request, success)


def _pk(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _back(name, project, anchor=""):
    return redirect(f"{reverse(name, args=[project.pk])}{'#' + anchor if anchor else ''}")


def _objectives(project):
    terms = list(Term.values)
    return sorted(project.application.objectives.all(), key=lambda o: (terms.index(o.term), o.pk))


def _record(project, progress=None) -> dict:
    """What everyone who follows the project sees: progress, activities, reports, supervision, evaluation."""
    rectifications = list(project.rectifications.select_related("visit"))
    return {
        "project": project,
        "application": project.application,
        "progress": services.progress(project) if progress is None else progress,
        "activities": list(project.activities.all()),
        "beneficiaries": services.beneficiaries_reached(project),
        "reports": list(
            project.reports.prefetch_related(
                Prefetch("values", IndicatorValue.objects.select_related("objective").order_by("objective_id"))
            )
        ),
        "visits": list(project.visits.all()),
        "rectifications": rectifications,
        "mid_term_reviews": list(project.mid_term_reviews.all()),
        "evaluations": list(project.evaluations.prefetch_related("scores__objective")),
        "today": timezone.localdate(),
    }


def _review_forms(rectifications, sources, bound=None) -> list:
    """Answered rectifications this person reviews get a form (the refused one keeps its input)."""
    bound = bound or {}
    waiting = [r for r in rectifications if r.status == RectificationStatus.ANSWERED and r.source in sources]
    for r in waiting:
        r.review_form = bound.get(r.pk) or ReviewForm(auto_id=f"id_review{r.pk}_%s")
    return waiting


def _review(request, project, rectifications, sources, page, anchor="rectifications"):
    """Accept or return an answered rectification; returns a bound form when refused."""
    rectification = next(
        (r for r in rectifications if r.pk == _pk(request.POST.get("rectification")) and r.source in sources), None
    )
    if rectification is None:
        messages.error(request, _("This rectification is not yours to review."))
        return None, _back(page, project, anchor)
    form = ReviewForm(request.POST, auto_id=f"id_review{rectification.pk}_%s")
    if form.is_valid() and _attempt(
        form,
        lambda: services.review_rectification(
            actor=request.user,
            rectification=rectification,
            accept=form.cleaned_data["decision"] == "accept",
            comment=form.cleaned_data["comment"],
        ),
    ):
        if form.cleaned_data["decision"] == "accept":
            messages.success(request, _("Rectification accepted."))
        else:
            messages.success(request, _("The answer was returned to the organisation with your comment."))
        return None, _back(page, project, anchor)
    return {rectification.pk: form}, None


INVALID = gettext_lazy("Nothing was saved: please correct the problems shown below.")


# --- The organisation's portal ----------------------------------------------------------------------------


def organisation_projects(user):
    """The projects of the organisations this person acts for."""
    return services.projects_for(user).filter(application__organisation__in=org_services.organisations_of(user))


@portal_login_required
def portal_projects(request):
    projects = organisation_projects(request.user).annotate(
        open_rectifications=Count(
            "rectifications", filter=Q(rectifications__status=RectificationStatus.OPEN), distinct=True
        )
    )
    return render(
        request,
        "projects/portal/projects.html",
        {"projects": projects, "today": timezone.localdate(), "implementing": services.IMPLEMENTING},
    )


def _next_steps(project, rectifications, reports, today) -> list[dict]:
    """What the organisation must do now, the urgent first."""
    steps = []

    def add(text, urgent=False):
        steps.append({"text": text, "urgent": urgent})

    for r in rectifications:
        if r.status != RectificationStatus.OPEN:
            continue
        values = {"requirement": r.requirement, "date": r.due_on.isoformat()}
        if r.due_on < today:
            add(_("Overdue: the rectification “%(requirement)s” was due on %(date)s. Answer it now.") % values, True)
        elif r.answer:
            add(_("Your answer was returned: answer the rectification “%(requirement)s” again by %(date)s.") % values)
        else:
            add(_("Answer the rectification “%(requirement)s” by %(date)s.") % values)
    status = project.status
    final_sent = any(r.kind == ReportKind.FINAL for r in reports)
    if status == S.CONTRACTING:
        add(_("Sign the contract: download it below, sign it and return it to the hub."))
    elif status in services.IMPLEMENTING:
        add(_("Log each activity as it happens and report your indicators at the end of each period."))
        if status == S.MID_TERM_REVIEW:
            add(_("Your supervisor is carrying out the mid-term review: you may submit a mid-term report."))
        elif not project.mid_term_accepted_on:
            add(_("The mid-term review is still to come; its acceptance releases the second installment."))
        if project.final_report_due_on and not final_sent:
            values = {"date": project.final_report_due_on.isoformat()}
            if project.final_report_overdue or project.final_report_due_on < today:
                add(_("Overdue: the final report was due on %(date)s.") % values, True)
            else:
                add(_("Final report due on %(date)s.") % values)
    elif status == S.FINAL_REPORT_SUBMITTED:
        add(_("Your final report is in; the hub will open the residents' appraisal."))
    elif status == S.APPRAISAL:
        add(_("Residents are appraising the project; invite the people you served to answer."))
    elif status == S.EVALUATING:
        add(_("The third-party evaluator is assessing the project."))
    elif status == S.EVALUATED:
        add(
            _("Evaluated (%(grade)s): the hub's acceptance will release the last installment.")
            % {"grade": project.get_grade_display()}
        )
    elif status == S.CLOSED:
        add(
            _("The project was closed on %(date)s.")
            % {"date": project.closed_on.isoformat() if project.closed_on else ""}
        )
    elif status == S.TERMINATED:
        add(_("The project was terminated: %(reason)s") % {"reason": project.termination_reason})
    steps.sort(key=lambda s: not s["urgent"])
    return steps


def _report_initial(project, reports, today) -> dict:
    """The next period starts the day after the last one reported; the kind follows the project's state."""
    last_end = max((r.period_end for r in reports), default=None)
    start = last_end + datetime.timedelta(days=1) if last_end else project.starts_on
    kind = {S.MID_TERM_REVIEW: ReportKind.MID_TERM, S.FINAL_REPORT_DUE: ReportKind.FINAL}.get(
        project.status, ReportKind.PERIODIC
    )
    return {"kind": kind, "period_start": start if start and start <= today else None, "period_end": today}


def _returned_comments(project):
    from incubator.audit.models import AuditEvent

    return AuditEvent.objects.filter(
        subject_type=Project._meta.label_lower, subject_id=str(project.pk), action="rectification.returned"
    ).exclude(reason="")


@portal_login_required
def portal_project(request, pk):
    project = get_object_or_404(organisation_projects(request.user), pk=pk)
    objectives = _objectives(project)
    bound = {}
    page = "projects_portal_project"
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "activity":
            form = ActivityForm(request.POST)
            if form.is_valid() and _attempt(
                form,
                lambda: services.record_activity(
                    actor=request.user,
                    project=project,
                    held_on=form.cleaned_data["held_on"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    participants=form.cleaned_data["participants"] or 0,
                    beneficiaries=form.cleaned_data["beneficiaries"] or 0,
                ),
            ):
                messages.success(request, _("Activity logged."))
                return _back(page, project, "activities")
            bound["activity_form"] = form
        elif action == "report":
            form = ReportForm(request.POST, project=project, objectives=objectives)
            if form.is_valid() and _attempt(
                form,
                lambda: services.submit_report(
                    actor=request.user,
                    project=project,
                    kind=form.cleaned_data["kind"],
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    summary=form.cleaned_data["summary"],
                    values=form.values(),
                ),
            ):
                messages.success(request, _("Report submitted."))
                return _back(page, project, "reports")
            bound["report_form"] = form
        elif action == "answer":
            rectification = get_object_or_404(project.rectifications, pk=_pk(request.POST.get("rectification")))
            form = AnswerForm(request.POST, auto_id=f"id_answer{rectification.pk}_%s")
            if form.is_valid() and _attempt(
                form,
                lambda: services.answer_rectification(
                    actor=request.user, rectification=rectification, answer=form.cleaned_data["answer"]
                ),
            ):
                messages.success(request, _("Your answer was sent for review."))
                return _back(page, project, "rectifications")
            bound["answers"] = {rectification.pk: form}
        else:
            return _back(page, project)
        messages.error(request, INVALID)
    context = _record(project)
    today = context["today"]
    implementing = project.status in services.IMPLEMENTING
    report_form = bound.get("report_form")
    if report_form is None and any(project.status in states for states in services.REPORT_STATES.values()):
        report_form = ReportForm(
            project=project, objectives=objectives, initial=_report_initial(project, context["reports"], today)
        )
    answers = bound.get("answers", {})
    for r in context["rectifications"]:
        if r.status == RectificationStatus.OPEN:
            r.answer_form = answers.get(r.pk) or AnswerForm(auto_id=f"id_answer{r.pk}_%s")
    installments = list(project.installments.all())
    context.update(
        {
            "installments": installments,
            "installments_total": sum(i.amount for i in installments),
            "money": services.money_summary(project),
            "next_steps": _next_steps(project, context["rectifications"], context["reports"], today),
            "activity_form": bound.get("activity_form") or (ActivityForm() if implementing else None),
            "report_form": report_form if report_form is not None and report_form.fields["kind"].choices else None,
            "final_report_problems": services.final_report_problems(project)
            if project.status in services.REPORT_STATES[ReportKind.FINAL]
            else [],
            "returned_comments": _returned_comments(project),
        }
    )
    return render(request, "projects/portal/project.html", context)


@portal_login_required
def contract(request, pk):
    project = get_object_or_404(organisation_projects(request.user), pk=pk)
    application = project.application
    response = HttpResponse(documents.contract_pdf(project), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"contract-GYCT-{application.call_id:03d}-{project.pk:04d}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
        elif action == "review":
            bound["reviews"], response = _review(request, project, rectifications, SUPERVISION_SOURCES, page)
            if response:
                return response
        else:
            return _back(page, project)
        messages.error(request, INVALID)
    context = _record(project)
    running = project.status not in (S.CONTRACTING, *services.FINISHED)
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
                form,
                lambda: services.submit_evaluation(
                    actor=request.user,
                    project=project,
                    grade=form.cleaned_data["grade"],
                    scores=form.scores(),
                    findings=form.cleaned_data["findings"],
                    recommendations=form.cleaned_data["recommendations"],
                    rectify_by=form.cleaned_data["rectify_by"],
                ),
            ):
                messages.success(request, _("Your evaluation is submitted."))
                return _back(page, project, "evaluations")
            bound["evaluation_form"] = form
        elif action == "review":
            bound["reviews"], response = _review(request, project, rectifications, EVALUATION_SOURCES, page)
            if response:
                return response
        else:
            return _back(page, project)
        messages.error(request, INVALID)
    context = _record(project, progress)
    final_report = next((r for r in context["reports"] if r.kind == ReportKind.FINAL), None)
    context.update(
        {
            "final_report": final_report,
            "appraisal": services.appraisal_results(project),
            "evaluation_form": bound.get("evaluation_form")
            or (EvaluationForm(objectives=objectives, reported=reported) if project.status == S.EVALUATING else None),
            "to_review": _review_forms(context["rectifications"], EVALUATION_SOURCES, bound.get("reviews")),
        }
    )
    return render(request, "projects/evaluation/project.html", context)


portal_urlpatterns = [
    path("projects/", portal_projects, name="projects_portal_list"),
    path("projects/<int:pk>/", portal_project, name="projects_portal_project"),
    path("projects/<int:pk>/contract.pdf", contract, name="projects_portal_contract"),
]
supervision_urlpatterns = [
    path("", supervision_list, name="projects_supervision_list"),
    path("<int:pk>/", supervision_project, name="projects_supervision_project"),
]
evaluation_urlpatterns = [
    path("", evaluation_list, name="projects_evaluation_list"),
    path("<int:pk>/", evaluation_project, name="projects_evaluation_project"),
]

"""Venture philanthropy, part 2: a funded project from contract to closing (docs/architecture.md, the domain).

Contract and installments (签约、分期拨付), implementation (activities, indicator reports per period),
supervision (督导: visits, findings, rectification), the mid-term review that gates the second
installment, the final report (结项报告), residents' appraisal (民事民评) and third-party evaluation
(第三方评估) whose acceptance releases the last installment (尾款).
"""

from __future__ import annotations

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from incubator.fields import BoundedTextField
from incubator.funding.models import MONEY, Application, BudgetLine, Objective
from incubator.orgs.models import USCCField
from incubator.orgs.uscc import USCCError, normalise_uscc, validate_uscc


class ProjectStatus(models.TextChoices):
    CONTRACTING = "contracting", _("Contracting")  # 签约中
    ACTIVE = "active", _("Being implemented")  # 实施中
    MID_TERM_REVIEW = "mid_term_review", _("Mid-term review")  # 中期评估
    RECTIFYING = "rectifying", _("Rectification required")  # 整改中
    FINAL_REPORT_DUE = "final_report_due", _("Final report due")  # 待交结项报告
    FINAL_REPORT_SUBMITTED = "final_report_submitted", _("Final report submitted")  # 结项报告已提交
    FINAL_REPORT_ACCEPTED = "final_report_accepted", _("Final report accepted")  # 结项报告已通过
    APPRAISAL = "appraisal", _("Residents' appraisal")  # 民事民评
    EVALUATING = "evaluating", _("Third-party evaluation")  # 第三方评估
    EVALUATED = "evaluated", _("Evaluated, awaiting acceptance")
    CLOSED = "closed", pgettext_lazy("project status", "Closed")  # 结项
    TERMINATED = "terminated", _("Terminated")  # 终止


FINISHED = (ProjectStatus.CLOSED, ProjectStatus.TERMINATED)


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # 优秀
    GOOD = "good", _("Good")  # 良好
    PASS = "pass", _("Pass")  # 合格
    FAIL = "fail", _("Fail")  # 不合格


def _appraisal_token() -> str:
    return secrets.token_urlsafe(12)


class Project(models.Model):
    """A funded project (资助项目), born of an awarded application."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="project"
    )
    status = models.CharField(
        _("status"), max_length=30, choices=ProjectStatus.choices, default=ProjectStatus.CONTRACTING
    )
    award = models.DecimalField(_("amount awarded (yuan)"), **MONEY)
    starts_on = models.DateField(_("project starts"), null=True, blank=True)
    ends_on = models.DateField(_("project ends"), null=True, blank=True)
    final_report_due_on = models.DateField(_("final report due on"), null=True, blank=True)
    final_report_overdue = models.BooleanField(_("final report overdue"), default=False)
    signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    signed_by_organisation = models.CharField(_("signed for the organisation by"), max_length=100, blank=True)
    signed_by_hub = models.CharField(_("signed for the hub by"), max_length=100, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_projects",
    )
    supervision_agency = models.CharField(_("supervision agency"), max_length=200, blank=True)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("third-party evaluator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluated_projects",
    )
    evaluation_agency = models.CharField(_("evaluation agency"), max_length=200, blank=True)
    mid_term_accepted_on = models.DateField(_("mid-term review accepted on"), null=True, blank=True)
    # Where a rectification leads back to once it is accepted: implementation, or a new evaluation.
    resume_status = models.CharField(max_length=30, choices=ProjectStatus.choices, blank=True)
    progress_published = models.BooleanField(_("progress published"), default=False)
    appraisal_token = models.CharField(max_length=32, unique=True, default=_appraisal_token, editable=False)
    appraisal_published_at = models.DateTimeField(_("appraisal results published at"), null=True, blank=True)
    is_brand = models.BooleanField(_("brand project"), default=False)  # 品牌项目
    grade = models.CharField(_("evaluation grade"), max_length=20, choices=Grade.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    termination_reason = BoundedTextField(_("reason for termination"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.application.title

    @property
    def organisation(self):
        return self.application.organisation


class Condition(models.TextChoices):
    SIGNING = "signing", _("Contract signed")
    MID_TERM = "mid_term", _("Mid-term review accepted")
    EVALUATION = "evaluation", _("Final evaluation accepted")  # 尾款 after third-party acceptance


DEFAULT_SPLIT = (
    (Decimal("40"), Condition.SIGNING),
    (Decimal("50"), Condition.MID_TERM),
    (Decimal("10"), Condition.EVALUATION),
)


class Installment(models.Model):
    """One payment of the contract; the system records releases, it moves no money."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="installments")
    position = models.PositiveSmallIntegerField(_("installment"))
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    condition_met_on = models.DateField(_("condition met on"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "position"], name="installment_position_unique"),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(condition_met_on__isnull=False),
                name="released_only_when_condition_met",
            ),
        ]

    def __str__(self):
        return f"{self.position}: {self.amount}"


class ProjectActivity(models.Model):
    """An activity the organisation held for the project (活动记录), with the people it reached."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    description = BoundedTextField(_("description"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    beneficiaries = models.PositiveIntegerField(
        _("new beneficiaries"), default=0, help_text=_("People served for the first time by this project.")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Once the supervisor or an operator has reviewed it, only an operator corrects it (with a reason).
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project activity")
        verbose_name_plural = _("project activities")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class ReportKind(models.TextChoices):
    PERIODIC = "periodic", _("Progress report")
    MID_TERM = "mid_term", _("Mid-term report")
    FINAL = "final", _("Final report")  # 结项报告


class ProgressReport(models.Model):
    """What the organisation achieved in one reporting period, indicator by indicator."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices, default=ReportKind.PERIODIC)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    summary = BoundedTextField(_("summary"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    # A final report the hub returned for correction (the reason is shown to the organisation). It stays as
    # history; it no longer counts (progress, periods, the statement) and a corrected one replaces it.
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = BoundedTextField(_("why the report was returned"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["period_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind="final", returned_at__isnull=True),
                name="one_current_final_report_per_project",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"


# A line of the financial statement whose spending differs from its approved amount by more than this share
# (in per cent, either way) needs a note saying why (决算差异说明).
VARIANCE_NOTE_PERCENT = Decimal("10")


def variance_needs_note(budgeted: Decimal, actual: Decimal) -> bool:
    """Exact, in Decimal: |actual − budgeted| > budgeted × VARIANCE_NOTE_PERCENT %."""
    return abs(actual - budgeted) * 100 > budgeted * VARIANCE_NOTE_PERCENT


def variance_percent(budgeted: Decimal, actual: Decimal) -> Decimal | None:
    """The variance as a share of the approved amount, to 0.1 %; None when nothing was approved."""
    if not budgeted:
        return None
    return ((actual - budgeted) * 100 / budgeted).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class SpendingLine(models.Model):
    """One line of a final report's financial statement (决算): what was actually spent on one line of the
    approved budget. ``budgeted`` is the line's approved amount when the report was submitted (the line's share
    of the award, ``services.approved_budget``), kept so the statement reads the same later."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="spending")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    budgeted = models.DecimalField(_("approved budget (yuan)"), **MONEY)
    actual = models.DecimalField(_("actual spending (yuan)"), **MONEY, validators=[MinValueValidator(0)])
    note = BoundedTextField(_("explanation of the variance"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("spending line")
        verbose_name_plural = _("spending lines")
        ordering = ["report", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "budget_line"], name="one_spending_line_per_budget_line"),
            models.CheckConstraint(condition=Q(actual__gte=0) & Q(budgeted__gte=0), name="spending_not_negative"),
        ]

    def __str__(self):
        return f"{self.budget_line_id}: {self.actual}"

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budgeted

    @property
    def variance_percent(self) -> Decimal | None:
        return variance_percent(self.budgeted, self.actual)

    @property
    def needs_note(self) -> bool:
        return variance_needs_note(self.budgeted, self.actual)


class IndicatorValue(models.Model):
    """The value an objective's indicator reached during a report's period."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="reported_values")
    actual = models.DecimalField(_("actual value in the period"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "objective"], name="one_value_per_objective")]

    def __str__(self):
        return f"{self.objective.indicator}: {self.actual}"


class SupervisionVisit(models.Model):
    """A supervisor's visit (督导走访) with what they found."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="visits")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("visited on"))
    findings = BoundedTextField(_("findings"))
    recommendations = BoundedTextField(_("recommendations"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.project} {self.visited_on}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the organisation's answer")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")


class RectificationSource(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision")
    MID_TERM = "mid_term", _("Mid-term review")
    EVALUATION = "evaluation", _("Third-party evaluation")


class Rectification(models.Model):
    """A rectification required of the organisation (整改要求), with a deadline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rectifications")
    source = models.CharField(_("required by"), max_length=20, choices=RectificationSource.choices)
    visit = models.ForeignKey(SupervisionVisit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requirement = BoundedTextField(_("what must be rectified"))
    due_on = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    answer = BoundedTextField(_("the organisation's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Why the last answer was not enough (the reviewer's words, shown to the organisation next to it).
    return_comment = BoundedTextField(_("why the answer was returned"), blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    required_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return self.requirement[:40]


class MidTermReview(models.Model):
    """The mid-term review (中期评估): its acceptance releases the second installment."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="mid_term_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opinion = BoundedTextField(_("opinion"))
    accepted = models.BooleanField(_("accepted"))
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mid-term review")
        verbose_name_plural = _("mid-term reviews")
        ordering = ["reviewed_at"]

    def __str__(self):
        return f"{self.project} {self.reviewed_at:%Y-%m-%d}"


class Evaluation(models.Model):
    """A third-party evaluation (第三方评估): indicator scores, a grade, recommendations."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    score = models.DecimalField(_("overall score (0-100)"), max_digits=5, decimal_places=2)
    findings = BoundedTextField(_("findings"))
    recommendations = BoundedTextField(_("recommendations"))
    # Why the grade is not the one the score falls in (services.evaluation.GRADE_BANDS); empty when it is.
    grade_reason = BoundedTextField(_("why this grade and not the score's"), blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("third-party evaluation")
        verbose_name_plural = _("third-party evaluations")
        ordering = ["submitted_at"]

    def __str__(self):
        return f"{self.project}: {self.get_grade_display()}"


class EvaluationScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="+")
    achieved = models.DecimalField(_("value verified"), max_digits=12, decimal_places=2)
    score = models.DecimalField(
        _("score (0-10)"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = BoundedTextField(_("comment"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "objective"], name="one_score_per_indicator")]

    def __str__(self):
        return f"{self.objective_id}: {self.score}"


class CommentState(models.TextChoices):
    NEW = "new", _("Not read yet")
    READ = "read", _("Read")
    HIDDEN = "hidden", _("Hidden (abusive, or personal details)")


class AppraisalBallot(models.Model):
    """One resident's answer to the appraisal form (民事民评), without an account.

    Stuffing is guarded by one ballot per device (a random id in a signed cookie) and per phone number,
    both stored only as keyed hashes, plus a per-address rate limit in the cache.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ballots")
    satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness = models.PositiveSmallIntegerField(
        _("how useful the activities were"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    took_part = models.BooleanField(_("took part or benefited"))
    comment = BoundedTextField(_("comment"), blank=True)
    # Residents' words are read by the hub and the evaluator; a chosen few go out with the published results.
    comment_state = models.CharField(
        _("comment moderation"), max_length=10, choices=CommentState.choices, default=CommentState.NEW
    )
    comment_published = models.BooleanField(_("comment shown with the published results"), default=False)
    device_hash = models.CharField(max_length=64)
    phone_hash = models.CharField(max_length=64, blank=True)
    address_hash = models.CharField(max_length=64)
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appraisal answer")
        verbose_name_plural = _("appraisal answers")
        constraints = [
            models.UniqueConstraint(fields=["project", "device_hash"], name="one_ballot_per_device"),
            models.UniqueConstraint(
                fields=["project", "phone_hash"], condition=~Q(phone_hash=""), name="one_ballot_per_phone"
            ),
            models.CheckConstraint(
                condition=~Q(comment_published=True, comment_state="hidden") & ~Q(comment_published=True, comment=""),
                name="published_comments_are_shown",
            ),
        ]

    def __str__(self):
        return f"{self.project}: {self.satisfaction}"


@register_setting(icon="doc-full")
class ContractParty(BaseGenericSetting):
    """The hub as Party A (甲方) of its funding contracts: the legal entity that signs them and its details, one
    row per hub schema, edited in Wagtail's Settings menu. What is left blank prints as a line to fill by hand."""

    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_(
            "The entity that signs the contracts as Party A, e.g. the district's civil affairs bureau or the "
            "organisation that runs the hub; leave blank to use the hub's name."
        ),
    )
    uscc = USCCField(_("Unified Social Credit Code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    responsible_person = models.CharField(_("legal representative or responsible person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("contract party details")

    def clean_fields(self, exclude=None):
        if self.uscc:  # what was pasted (spaces, hyphens, full-width) becomes the code before the length check
            self.uscc = normalise_uscc(self.uscc)
        super().clean_fields(exclude)

    def clean(self):
        if self.uscc:
            try:
                validate_uscc(self.uscc)
            except USCCError as exc:
                raise ValidationError({"uscc": exc.message}) from exc


class EvidenceSubject(models.TextChoices):
    """What an evidence file documents (佐证材料); each kind but the contract points at its record."""

    ACTIVITY = "activity", _("Activity")
    REPORT = "report", _("Report")
    RECTIFICATION = "rectification", _("Rectification answer")
    CONTRACT = "contract", _("Signed contract")
    VISIT = "visit", _("Supervision visit")
    EVALUATION = "evaluation", _("Evaluation report")


def evidence_upload_path(instance, filename):
    from incubator.filings.models import private_upload_name

    return private_upload_name("evidence", instance.project.application.organisation_id, filename)


class Evidence(models.Model):
    """A photo, scan, sign-in sheet or report that backs a project's record (佐证材料).

    Private: stored under the hub's ``private/`` folder and served only to those who may see the project. A
    photo the organisation marks public is shown on the project's public page.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evidence")
    subject = models.CharField(_("documents"), max_length=20, choices=EvidenceSubject.choices)
    activity = models.ForeignKey(
        ProjectActivity, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence")
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    visit = models.ForeignKey(
        SupervisionVisit, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence")
    title = models.CharField(_("what the file shows"), max_length=100)
    file = models.FileField(_("file"), upload_to=evidence_upload_path)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    is_photo = models.BooleanField(_("photo"), default=False)
    public = models.BooleanField(_("shown on the public page"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]
        constraints = [
            # Exactly the record its subject names, and nothing else.
            models.CheckConstraint(
                condition=(
                    Q(
                        subject="activity",
                        activity__isnull=False,
                        report=None,
                        rectification=None,
                        visit=None,
                        evaluation=None,
                    )
                    | Q(
                        subject="report",
                        report__isnull=False,
                        activity=None,
                        rectification=None,
                        visit=None,
                        evaluation=None,
                    )
                    | Q(
                        subject="rectification",
                        rectification__isnull=False,
                        activity=None,
                        report=None,
                        visit=None,
                        evaluation=None,
                    )
                    | Q(subject="contract", activity=None, report=None, rectification=None, visit=None, evaluation=None)
                    | Q(
                        subject="visit",
                        visit__isnull=False,
                        activity=None,
                        report=None,
                        rectification=None,
                        evaluation=None,
                    )
                    | Q(
                        subject="evaluation",
                        evaluation__isnull=False,
                        activity=None,
                        report=None,
                        rectification=None,
                        visit=None,
                    )
                ),
                name="evidence_documents_one_record",
            ),
            models.CheckConstraint(condition=Q(public=False) | Q(is_photo=True), name="only_photos_are_public"),
        ]

    def __str__(self):
        return self.title

    @property
    def record_id(self) -> int | None:
        return getattr(self, f"{self.subject}_id", None)

    @property
    def key(self) -> str:
        """Which record it belongs to, as the pages name it (``activity-12``, ``contract``)."""
        return self.subject if self.subject == EvidenceSubject.CONTRACT else f"{self.subject}-{self.record_id}"

"""Venture philanthropy (公益创投), part 1: needs, calls, applications, review, decision, public notice."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incubator.areas.models import Community, Street
from incubator.fields import BoundedTextField
from incubator.filings.models import private_upload_name
from incubator.orgs.models import LegalForm, Organisation, Tier

MONEY = {"max_digits": 12, "decimal_places": 2}


class WorkingDayOverride(models.Model):
    """A day the hub declares a holiday or an adjusted working day (调休), beyond the statutory calendar."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.note}"


class GatheringMethod(models.TextChoices):
    FORUM = "forum", _("Residents' forum")  # 居民议事会
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    VISITS = "visits", _("Home visits")
    INTERVIEWS = "interviews", _("Interviews")
    OTHER = "other", _("Other")


class Need(models.Model):
    """A residents' need (居民需求) recorded in a community."""

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="needs"
    )
    title = models.CharField(_("title"), max_length=200)
    description = BoundedTextField(_("description"))
    gathered_by = models.CharField(_("gathered by"), max_length=20, choices=GatheringMethod.choices)
    gathered_on = models.DateField(_("gathered on"))
    people_consulted = models.PositiveIntegerField(_("people consulted"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("residents' need")
        verbose_name_plural = _("residents' needs")
        ordering = ["-gathered_on"]

    def __str__(self):
        return self.title


class CallField(models.TextChoices):
    """The four service fields of the 江岸 calls."""

    CHARITY = "charity", _("Public welfare and charity")  # 公益慈善
    CULTURE_EDUCATION = "culture_education", _("Culture and education")  # 文化教育
    RIGHTS = "rights", _("Rights protection")  # 权益维护
    CONVENIENCE = "convenience", _("Convenient living")  # 便民生活


class TargetGroup(models.TextChoices):
    ELDERLY = "elderly", _("Elderly people")
    CHILDREN = "children", _("Children and youth")
    DISABLED = "disabled", _("People with disabilities")
    WOMEN_FAMILIES = "women_families", _("Women and families")
    UNEMPLOYED = "unemployed", _("Unemployed people")
    LOW_INCOME = "low_income", _("Low-income households")
    RESIDENTS = "residents", _("All residents")


class BudgetCategory(models.TextChoices):
    STAFF = "staff", _("Staff costs")
    ADMINISTRATION = "administration", _("Administration")
    ACTIVITIES = "activities", _("Activities")
    MATERIALS = "materials", _("Materials and equipment")
    PUBLICITY = "publicity", _("Publicity")
    OTHER = "other", _("Other")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean of the experts' scores")
    TRIMMED = "trimmed", _("Mean without the highest and the lowest")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REVIEWING = "reviewing", _("Reviewing")
    DECIDED = "decided", _("Decided")
    ANNOUNCED = "announced", _("Announced")


# A deadline reads as people read it: "closes 23:59" takes submissions until 23:59:59 Shanghai time. Times are
# kept to the minute, and the closing minute is the last one that counts.
DEADLINE_MINUTE = datetime.timedelta(minutes=1)


class CallQuerySet(models.QuerySet):
    def taking_applications(self, now=None):
        now = now or timezone.now()
        return self.before_their_deadline(now).filter(status=CallStatus.OPEN, opens_at__lte=now)

    def before_their_deadline(self, now=None):
        now = now or timezone.now()
        return self.filter(closes_at__gt=now - DEADLINE_MINUTE)

    def past_their_deadline(self, now=None):
        now = now or timezone.now()
        return self.filter(closes_at__lte=now - DEADLINE_MINUTE)


class Call(models.Model):
    """A call for projects (项目征集)."""

    title = models.CharField(_("title"), max_length=200)
    description = BoundedTextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT)
    budget = models.DecimalField(_("budget (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    per_project_cap = models.DecimalField(
        _("cap per project (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    service_fields = ArrayField(
        models.CharField(max_length=30, choices=CallField.choices), verbose_name=_("service fields"), default=list
    )
    eligible_legal_forms = ArrayField(
        models.CharField(max_length=30, choices=LegalForm.choices),
        verbose_name=_("eligible legal forms"),
        default=list,
        blank=True,
        help_text=_("Empty: every legal form."),
    )
    eligible_tiers = ArrayField(
        models.CharField(max_length=20, choices=Tier.choices),
        verbose_name=_("eligible 1+n+x tiers"),
        default=list,
        blank=True,
        help_text=_("Empty: every tier."),
    )
    eligible_streets = models.ManyToManyField(
        Street, verbose_name=_("eligible streets"), blank=True, help_text=_("Empty: the whole district.")
    )
    required_courses = models.ManyToManyField(
        "courses.Course",
        verbose_name=_("courses the organisation must have completed"),
        blank=True,
        related_name="+",
        help_text=_("Someone of the organisation holds a valid certificate of each (公益学院). Empty: none."),
    )
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    aggregation = models.CharField(
        _("score aggregation"), max_length=20, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    notice_working_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"), default=5, validators=[MinValueValidator(5)]
    )
    needs = models.ManyToManyField(Need, verbose_name=_("residents' needs addressed"), blank=True, related_name="calls")
    # The contract's installments (分期拨付): on signing, on the accepted mid-term review, and the last
    # (尾款) after the third-party evaluation accepts the project.
    first_installment_percent = models.DecimalField(
        _("first installment, on signing (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("40"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    second_installment_percent = models.DecimalField(
        _("second installment, after the mid-term review (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    final_installment_percent = models.DecimalField(
        _("final installment, after the evaluation (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
        help_text=_("The three installments add up to 100%; the last is paid only after acceptance."),
    )
    # Why the confirmed decision leaves a quota unmet (no selection within the budget met it): on the notice.
    decision_justification = BoundedTextField(_("justification of an unmet quota"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_it_opens",
                violation_error_message=_("Applications must close after they open."),
            ),
            models.CheckConstraint(
                condition=Q(
                    first_installment_percent__gte=0,
                    second_installment_percent__gte=0,
                    final_installment_percent__gt=0,
                )
                & Q(
                    first_installment_percent=models.Value(Decimal("100"))
                    - models.F("second_installment_percent")
                    - models.F("final_installment_percent")
                ),
                name="call_installments_add_up",
                violation_error_message=_("The three installments must add up to 100%%."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        for name in ("opens_at", "closes_at"):
            if value := getattr(self, name):
                setattr(self, name, value.replace(second=0, microsecond=0))
        super().save(*args, **kwargs)

    @property
    def accepts_until(self) -> datetime.datetime:
        """The first instant no longer accepted: the end of the closing minute."""
        return self.closes_at.replace(second=0, microsecond=0) + DEADLINE_MINUTE

    def takes_applications(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == CallStatus.OPEN and self.opens_at <= now < self.accepts_until

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Applications must close after they open.")})
        shares = (self.first_installment_percent, self.second_installment_percent, self.final_installment_percent)
        if None not in shares and sum(shares) != 100:
            raise ValidationError(
                {
                    "final_installment_percent": _("The installments add up to %(sum)s%%, not 100%%.")
                    % {"sum": sum(shares)}
                }
            )


class BudgetStandard(models.Model):
    """A funding standard (资助标准): the most a budget category may take."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="budget_standards")
    category = models.CharField(_("budget category"), max_length=20, choices=BudgetCategory.choices)
    max_percent = models.DecimalField(
        # xgettext:no-python-format
        _("at most (% of the budget)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    max_amount = models.DecimalField(_("at most (yuan)"), **MONEY, null=True, blank=True)

    class Meta:
        verbose_name = _("budget standard")
        verbose_name_plural = _("budget standards")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "category"],
                name="one_standard_per_category",
                violation_error_message=_("This call already has a standard for that budget category."),
            )
        ]

    def __str__(self):
        return self.get_category_display()

    def clean(self):
        if self.max_percent is None and self.max_amount is None:
            raise ValidationError(_("Give the standard a largest share (%) or a largest amount (yuan), or both."))

    def describe(self) -> str:
        limits = [f"≤ {self.max_percent}%" if self.max_percent is not None else "", ""]
        if self.max_amount is not None:
            limits[1] = "≤ " + str(_("%(amount)s yuan") % {"amount": self.max_amount})
        return f"{self.get_category_display()} {' '.join(x for x in limits if x)}"


class Quota(models.Model):
    """A share of the funded projects that must serve a group (e.g. ≥50% for the elderly, 广州 Q16)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="quotas")
    target_group = models.CharField(_("target group"), max_length=30, choices=TargetGroup.choices)
    min_percent = models.DecimalField(
        # xgettext:no-python-format
        _("at least (% of funded projects)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")

    def __str__(self):
        return f"{self.get_target_group_display()} ≥ {self.min_percent}%"


class RubricTemplate(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("rubric template")
        verbose_name_plural = _("rubric templates")

    def __str__(self):
        return self.name


class TemplateCriterion(models.Model):
    template = models.ForeignKey(RubricTemplate, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    guidance = BoundedTextField(_("guidance"), blank=True)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """One weighted criterion of a call's review rubric; experts score it 0-10."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    guidance = BoundedTextField(_("guidance"), blank=True)
    weight = models.DecimalField(
        _("weight (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


MAX_SCORE = Decimal("10")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENED_OUT = "screened_out", _("Screened out")
    IN_REVIEW = "in_review", _("In review")
    REVIEWED = "reviewed", _("Reviewed")
    RECOMMENDED = "recommended", _("Recommended for funding")
    NOT_FUNDED = "not_funded", _("Not funded")
    IN_NOTICE = "in_notice", _("In public notice")
    AWARDED = "awarded", _("Awarded")
    REJECTED = "rejected", _("Rejected after objection")


class Application(models.Model):
    """An organisation's application to a call (项目申报)."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    title = models.CharField(_("project title"), max_length=200, blank=True)
    service_field = models.CharField(_("service field"), max_length=30, choices=CallField.choices, blank=True)
    problem = BoundedTextField(_("problem and needs addressed"), blank=True)
    needs = models.ManyToManyField(Need, verbose_name=_("residents' needs addressed"), blank=True)
    target_groups = ArrayField(
        models.CharField(max_length=30, choices=TargetGroup.choices),
        verbose_name=_("target groups"),
        default=list,
        blank=True,
    )
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), null=True, blank=True)
    activities = BoundedTextField(_("activities and timeline"), blank=True)
    starts_on = models.DateField(_("project starts"), null=True, blank=True)
    ends_on = models.DateField(_("project ends"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Decision
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    awarded_amount = models.DecimalField(_("amount awarded (yuan)"), **MONEY, null=True, blank=True)
    override = models.CharField(
        _("manual decision"), max_length=10, blank=True, choices=[("include", _("Fund")), ("exclude", _("Do not fund"))]
    )
    override_reason = BoundedTextField(_("justification of the manual decision"), blank=True)
    # Partial funding (部分资助): the hub offers less than requested; it counts only once the applicant agrees.
    offered_amount = models.DecimalField(_("amount offered (yuan)"), **MONEY, null=True, blank=True)
    offer_reason = BoundedTextField(_("why less is offered"), blank=True)
    offer_accepted_at = models.DateTimeField(_("offer accepted at"), null=True, blank=True)
    released_feedback = BoundedTextField(_("feedback released to the applicant"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["rank", "-submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "organisation"], name="one_application_per_call")]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self):
        return self.title or str(_("Application of %(organisation)s") % {"organisation": self.organisation})

    @property
    def requested_amount(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), Decimal("0.00"))

    @property
    def agreed_amount(self) -> Decimal | None:
        """The partial amount the applicant agreed to, if any."""
        return self.offered_amount if self.offer_accepted_at else None


class Term(models.TextChoices):
    SHORT = "short", _("Short term (under 3 months)")
    MEDIUM = "medium", _("Medium term (3-12 months)")
    LONG = "long", _("Long term (over a year)")


class Accumulation(models.TextChoices):
    """How an indicator's reported values make its progress (指标口径)."""

    SUM = "sum", _("A count: each period's value adds to the total")  # 增量累加
    LATEST = "latest", _("A level or rate: the latest value stands")  # 水平值或比率，取最新值
    CUMULATIVE = "cumulative", _("Cumulative: each period reports the total so far")  # 累计值


class Direction(models.TextChoices):
    INCREASE_TO = "increase_to", _("Increase to the target")  # 增加至
    DECREASE_BY = "decrease_by", _("Decrease by the target")  # 下降（幅度）


class Objective(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objectives")
    term = models.CharField(_("term"), max_length=10, choices=Term.choices)
    description = BoundedTextField(_("objective"), max_length=1000)
    indicator = models.CharField(_("measurable indicator"), max_length=200)
    # Empty until the applicant gives it: a missing target is a problem at submission, never a silent 0.
    target = models.DecimalField(
        _("target value"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    # A rate (跌倒发生率下降 30 %) reported as 10, 20, 25 has reached 25, not 55: the kind says how to add up.
    accumulation = models.CharField(
        _("how the values add up"), max_length=20, choices=Accumulation.choices, default=Accumulation.SUM
    )
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, default=Direction.INCREASE_TO
    )

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        # Short, medium, long: the order people read them in, not the alphabet's (long, medium, short).
        ordering = [
            models.Case(
                models.When(term="short", then=0), models.When(term="medium", then=1), default=2,
                output_field=models.IntegerField(),
            ),
            "id",
        ]  # fmt: skip

    def __str__(self):
        return self.description


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("budget category"), max_length=20, choices=BudgetCategory.choices)
    item = models.CharField(pgettext_lazy("budget line", "item"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["category", "id"]

    def __str__(self):
        return self.item


def attachment_upload_path(instance, filename):
    return private_upload_name("applications", instance.application.organisation_id, filename)


class ApplicationAttachment(models.Model):
    """A file the applicant joins to the application (a plan, a letter of support, photos of the place)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(_("file"), upload_to=attachment_upload_path)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.title


class ConflictDeclaration(models.Model):
    """An expert's declared conflict of interest with an organisation (回避)."""

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="declared_conflicts")
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["expert", "organisation"], name="one_conflict_per_pair")]

    def __str__(self):
        return f"{self.expert} ≠ {self.organisation}"


class Assignment(models.Model):
    """An expert assigned to review one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    comment = BoundedTextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)
    total = models.DecimalField(_("weighted total (0-100)"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="one_assignment_per_expert")]

    def __str__(self):
        return f"{self.expert} → {self.application}"


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT)
    value = models.DecimalField(
        _("score (0-10)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_SCORE)],
    )
    comment = BoundedTextField(_("comment"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion")]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class PublicNotice(models.Model):
    """The public notice (公示) of a call's funding decisions, at least 5 working days."""

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="notice")
    starts_on = models.DateField(_("notice starts"))
    ends_on = models.DateField(_("notice ends (last day)"))
    calendar_note = models.CharField(_("calendar note"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")

    def __str__(self):
        return str(self.call)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """An objection lodged by anyone during the notice period (异议)."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("your name"), max_length=50)
    contact = models.CharField(_("phone or e-mail"), max_length=100)
    text = BoundedTextField(_("objection"), max_length=2000)
    status = models.CharField(_("status"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    resolution = BoundedTextField(_("resolution"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)  # the objector's, for the reply
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["lodged_at"]

    def __str__(self):
        return f"{self.application}: {self.text[:30]}"

    @property
    def reference(self) -> str:
        """The number the objector quotes, and that the notice shows beside the resolution (异议编号)."""
        return f"YY-{self.notice_id:03d}-{self.pk:04d}"

    @property
    def email(self) -> str:
        """The contact, if it is an e-mail address (a phone number gets a call from the hub)."""
        try:
            validate_email(self.contact)
        except ValidationError:
            return ""
        return self.contact

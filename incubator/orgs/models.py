import unicodedata

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator.areas.models import Community, Street
from incubator.fields import BoundedTextField
from incubator.orgs.uscc import USCCError, legal_form_problem, normalise_uscc, validate_uscc


class LegalForm(models.TextChoices):
    SOCIAL_ASSOCIATION = "social_association", _("Social association")  # 社会团体
    SOCIAL_SERVICE_ORGANISATION = "social_service", _("Social service organisation")  # 社会服务机构
    FOUNDATION = "foundation", _("Foundation")  # 基金会
    FILED_COMMUNITY_ORGANISATION = "filed_community", _("Filed community organisation")  # 备案的社区社会组织
    NOT_FILED = "not_filed", _("Not yet filed")  # 未备案


REGISTERED_FORMS = (LegalForm.SOCIAL_ASSOCIATION, LegalForm.SOCIAL_SERVICE_ORGANISATION, LegalForm.FOUNDATION)
# The organisation category (2nd character of the code, after 5 for civil affairs) of each registered form.
USCC_CATEGORIES = {
    LegalForm.SOCIAL_ASSOCIATION: "1",  # 51: 社会团体
    LegalForm.SOCIAL_SERVICE_ORGANISATION: "2",  # 52: 社会服务机构 (formerly 民办非企业单位)
    LegalForm.FOUNDATION: "3",  # 53: 基金会
}


class USCCField(models.CharField):
    """The code's column: 18 characters stored, but its form field takes what people paste (spaces, hyphens,
    zero-width spaces; ``normalise_uscc`` removes them before validation) instead of the browser cutting it at 18.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": 40, **kwargs})

    def deconstruct(self):
        # A plain CharField to the migrations: nothing changes in the database.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


def normalise_bank_account(value: str) -> str:
    """The account number a person meant: full-width digits made ASCII (NFKC), every space removed."""
    return "".join(unicodedata.normalize("NFKC", value).split())


BANK_ACCOUNT_NUMBER = RegexValidator(
    r"^[0-9]{8,30}$", _("A bank account number has 8 to 30 digits and nothing else (spaces are ignored).")
)


class BankAccountNumberField(models.CharField):
    """An account number as people type it (in groups of four, in full-width digits), stored as its digits.

    ``to_python`` normalises, so ``full_clean`` stores the digits and the length and digit checks see them; the
    form takes a little more than the column so that a number typed with spaces is not cut by the browser."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_bank_account(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": 40, **kwargs})

    def deconstruct(self):
        # A plain CharField to the migrations: nothing changes in the database.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class Tier(models.TextChoices):
    """The "1+n+x" model (天津): one hub-type organisation per street, n basic ones, x characteristic."""

    HUB = "hub", _("“1”: hub-type organisation of the street")  # 枢纽型
    BASIC = "basic", _("“n”: basic organisation")  # 基本型
    CHARACTERISTIC = "characteristic", _("“x”: characteristic organisation")  # 特色
    UNCLASSIFIED = "unclassified", _("Not classified")


class BasicField(models.TextChoices):
    """The five fields of "n" basic organisations."""

    COMMUNITY_SERVICE = "community_service", _("Community service")  # 社区服务
    COMMUNITY_AFFAIRS = "community_affairs", _("Community affairs")  # 社区事务
    CHARITY_RELIEF = "charity_relief", _("Charity and relief")  # 慈善救助
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")  # 文化体育
    RESIDENTS_RIGHTS = "residents_rights", _("Residents' rights")  # 社区维权


class ServiceField(models.TextChoices):
    ELDERLY = "elderly", _("Elderly care")
    DISABILITY = "disability", _("Disability support")
    CHILDREN_YOUTH = "children_youth", _("Children and youth")
    FAMILY = "family", _("Families and women")
    EMPLOYMENT = "employment", _("Employment")
    CULTURE = "culture", _("Culture and sports")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    ENVIRONMENT = "environment", _("Environment")
    VOLUNTEERING = "volunteering", _("Volunteering")
    COMMUNITY_GOVERNANCE = "governance", _("Community governance")
    LEGAL_AID = "legal_aid", _("Legal aid and rights")
    POVERTY = "poverty", _("Poverty relief")


class Verification(models.TextChoices):
    """Whether the hub has checked a self-registered organisation (and its code) against its documents."""

    UNVERIFIED = "unverified", _("Not verified yet")  # 待核实
    VERIFIED = "verified", _("Verified by the hub")  # 已核实


class Organisation(models.Model):
    """A social organisation the hub works with (社会组织 / 社区社会组织)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    uscc = USCCField(
        _("Unified Social Credit Code"), max_length=18, blank=True, help_text=_("18 characters; for registered forms.")
    )
    service_fields = ArrayField(
        models.CharField(max_length=30, choices=ServiceField.choices),
        verbose_name=_("service fields"),
        default=list,
        blank=True,
    )
    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="organisations")
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    tier = models.CharField(_("1+n+x tier"), max_length=20, choices=Tier.choices, default=Tier.UNCLASSIFIED)
    basic_field = models.CharField(_("basic field"), max_length=30, choices=BasicField.choices, blank=True)
    resident_group = models.CharField(
        _("resident group served"), max_length=100, blank=True, help_text=_("For “x” organisations, e.g. 失独家庭.")
    )
    responsible_person = models.CharField(_("responsible person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Where the hub transfers the installments (printed on the contract).
    bank_account_name = models.CharField(
        _("bank account name"),
        max_length=200,
        blank=True,
        help_text=_("The name the account is held in, usually the organisation's registered name."),
    )
    bank_name = models.CharField(
        _("bank and branch"), max_length=200, blank=True, help_text=_("E.g. 中国工商银行武汉江岸支行.")
    )
    bank_account_number = BankAccountNumberField(
        _("bank account number"),
        max_length=30,
        blank=True,
        validators=[BANK_ACCOUNT_NUMBER],
        help_text=_("8 to 30 digits; spaces are ignored."),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)
    volunteers = models.PositiveIntegerField(_("volunteers"), default=0)
    description = BoundedTextField(_("description"), blank=True)
    listed_publicly = models.BooleanField(_("listed in the public directory"), default=False)
    # Organisations the hub enters itself are verified; a portal sign-up waits for an operator's check.
    verification = models.CharField(
        _("verification"), max_length=20, choices=Verification.choices, default=Verification.VERIFIED
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    flagged_inactive_at = models.DateTimeField(_("flagged inactive at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["street"], condition=Q(tier="hub"), name="one_hub_organisation_per_street"),
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="uscc_unique"),
            models.CheckConstraint(
                condition=~Q(tier="basic") | ~Q(basic_field=""), name="basic_organisation_has_field"
            ),
        ]
        indexes = [models.Index(fields=["community", "tier", "basic_field"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The same code however it was typed or pasted, also where full_clean() is not called.
        if self.uscc:
            self.uscc = normalise_uscc(self.uscc)
        super().save(*args, **kwargs)

    @property
    def is_registered(self) -> bool:
        return self.legal_form in REGISTERED_FORMS

    def clean_fields(self, exclude=None):
        # Normalise first (separators, lower case, full-width input) so the length check sees the real code.
        if self.uscc:
            self.uscc = normalise_uscc(self.uscc)
        super().clean_fields(exclude)

    def clean(self):
        errors = {}
        if self.uscc:
            try:
                self.uscc = validate_uscc(self.uscc)
            except USCCError as exc:
                errors["uscc"] = exc.message
            else:
                if Organisation.objects.filter(uscc=self.uscc).exclude(pk=self.pk).exists():
                    errors["uscc"] = gettext(
                        "An organisation with the code %(code)s is already known to this hub; if it is yours, "
                        "ask the hub to add you to it."
                    ) % {"code": self.uscc}
                elif problem := legal_form_problem(
                    self.uscc, self.legal_form, USCC_CATEGORIES, dict(LegalForm.choices)
                ):
                    errors["uscc"] = problem
        elif self.is_registered:
            errors["uscc"] = gettext("A registered organisation needs its Unified Social Credit Code.")
        if self.community_id and self.street_id and self.community.street_id != self.street_id:
            errors["community"] = gettext("The community “%(community)s” is not in the street “%(street)s”.") % {
                "community": self.community,
                "street": self.street,
            }
        if self.tier == Tier.BASIC and not self.basic_field:
            errors["basic_field"] = gettext("An “n” basic organisation needs one of the five basic fields.")
        if self.tier == Tier.CHARACTERISTIC and not self.resident_group.strip():
            errors["resident_group"] = gettext("An “x” characteristic organisation needs the resident group it serves.")
        if self.tier == Tier.HUB and self.street_id:
            other = Organisation.objects.filter(street_id=self.street_id, tier=Tier.HUB).exclude(pk=self.pk).first()
            if other:
                errors["tier"] = gettext(
                    "The street “%(street)s” already has its “1” hub-type organisation: %(other)s. "
                    "A street has at most one."
                ) % {"street": self.street, "other": other}
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    """A person who acts for an organisation in the portal."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} → {self.organisation}"


class Cohort(models.Model):
    """An incubation cohort (孵化批次)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name


class IncubationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")  # 入驻申请
    INCUBATING = "incubating", _("Incubating")  # 孵化中
    GRADUATED = "graduated", _("Graduated")  # 出壳
    EXITED = "exited", _("Exited")  # 退出
    DECLINED = "declined", _("Declined")


class Incubation(models.Model):
    """One organisation's passage through the hub's incubator."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="incubations"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=IncubationStatus.choices, default=IncubationStatus.APPLIED
    )
    needs = BoundedTextField(_("what the organisation needs from the hub"))
    plans = BoundedTextField(_("plans for the incubation period"), blank=True)
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, null=True, blank=True, related_name="incubations"
    )
    space = models.CharField(_("space or desk"), max_length=100, blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_incubations",
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome_note = BoundedTextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("incubation")
        verbose_name_plural = _("incubations")
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=["applied", "incubating"]),
                name="one_open_incubation_per_organisation",
            )
        ]

    def __str__(self):
        return gettext("Incubation of %(organisation)s") % {"organisation": self.organisation}


class Milestone(models.Model):
    incubation = models.ForeignKey(Incubation, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on"]

    def __str__(self):
        return self.title


class Activity(models.Model):
    """Something the organisation did; keeps it from being flagged inactive."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="activities")
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on"]

    def __str__(self):
        return self.title


class Reminder(models.Model):
    """A reminder shown to an organisation in its portal (and e-mailed to its members): an annual report or a
    final report falling due. Sent through ``orgs.reminders.remind``, which keeps each one to once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reminders")
    message = models.CharField(_("message"), max_length=300)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    key = models.CharField(max_length=100, help_text="deduplicates reminders sent by scheduled jobs")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        # The table predates the model's move here from filings (projects and courses remind too): kept.
        db_table = "filings_reminder"
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="reminder_unique_key")]

    def __str__(self):
        return self.message

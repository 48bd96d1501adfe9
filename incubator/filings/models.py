from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator.fields import BoundedTextField
from incubator.orgs.models import LegalForm, Organisation


class DocumentRequirement(models.Model):
    """One document of the checklist for a legal form (章程, 负责人, 场所证明, 成员名单…)."""

    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    title = models.CharField(_("document"), max_length=200)
    guidance = BoundedTextField(_("guidance"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("document requirement")
        verbose_name_plural = _("document requirements")
        ordering = ["legal_form", "position", "id"]

    def __str__(self):
        return self.title


class FilingKind(models.TextChoices):
    FILING = "filing", _("Filing (community organisation)")  # 备案
    REGISTRATION = "registration", _("Registration")  # 登记


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


class Filing(models.Model):
    """The hub's help with one filing or registration (备案/登记)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="filings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FilingKind.choices)
    legal_form = models.CharField(_("legal form sought"), max_length=30, choices=LegalForm.choices)
    status = models.CharField(_("status"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    correction_comments = BoundedTextField(_("comments for correction"), blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=~Q(status="approved"), name="one_open_filing_per_organisation"
            )
        ]

    def __str__(self):
        return gettext("%(kind)s of %(organisation)s") % {
            "kind": self.get_kind_display(),
            "organisation": self.organisation,
        }


def private_upload_name(folder: str, organisation_id: int, filename: str) -> str:
    """Under the hub's own media folder (the storage adds the schema), in ``private/``, which is never served
    as plain media, with a random name so no path can be guessed; the download view checks who asks."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"private/{folder}/{organisation_id}/{uuid.uuid4().hex}{suffix}"


def filing_upload_path(instance, filename):
    return private_upload_name("filings", instance.filing.organisation_id, filename)


def annual_report_upload_path(instance, filename):
    return private_upload_name("annual-reports", instance.organisation_id, filename)


class FilingDocument(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(DocumentRequirement, verbose_name=_("document"), on_delete=models.PROTECT)
    file = models.FileField(_("file"), upload_to=filing_upload_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("filing document")
        verbose_name_plural = _("filing documents")
        ordering = ["requirement__position", "-uploaded_at"]

    def __str__(self):
        return self.file.name


class AnnualReportStatus(models.TextChoices):
    DUE = "due", _("Due")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")


class AnnualReport(models.Model):
    """An annual report or inspection (年报/年检) with its due date."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=AnnualReportStatus.choices, default=AnnualReportStatus.DUE
    )
    overdue = models.BooleanField(_("overdue"), default=False)
    file = models.FileField(_("report"), upload_to=annual_report_upload_path, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    last_reminded_on = models.DateField(_("last reminder sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="one_annual_report_per_year")]

    def __str__(self):
        return gettext("%(year)s annual report of %(organisation)s") % {
            "year": self.year,
            "organisation": self.organisation,
        }

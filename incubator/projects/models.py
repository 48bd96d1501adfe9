"""Venture philanthropy, part 2 (started): a funded project, its contract and its installments."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incubator.funding.models import MONEY, Application


class ProjectStatus(models.TextChoices):
    CONTRACTING = "contracting", _("Contracting")  # 签约中
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    TERMINATED = "terminated", _("Terminated")


class Project(models.Model):
    """A funded project (资助项目), born of an awarded application."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="project"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.CONTRACTING
    )
    award = models.DecimalField(_("amount awarded (yuan)"), **MONEY)
    signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        ordering = ["-created_at"]

    def __str__(self):
        return self.application.title


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
    position = models.PositiveSmallIntegerField()
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    condition_met_on = models.DateField(_("condition met on"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)

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

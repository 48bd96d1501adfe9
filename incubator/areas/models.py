from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class Street(models.Model):
    """A street (街道) of the hub's district."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("division code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CommunityKind(models.TextChoices):
    URBAN = "urban", _("Urban community")  # 城市社区
    VILLAGE_TO_RESIDENTIAL = "village_to_residential", _("Village-to-residential community")  # 村改居


class Community(models.Model):
    """A community (社区) within a street."""

    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="communities")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=CommunityKind.choices, default=CommunityKind.URBAN)
    households = models.PositiveIntegerField(_("households"), default=0)
    organisation_target = models.PositiveIntegerField(
        _("organisation target"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the hub's target for this kind of community."),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["street__name", "name"]
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="community_unique_in_street")]

    def __str__(self):
        return self.name


@register_setting(icon="cog")
class CoverageTargets(BaseGenericSetting):
    """The hub's targets for the "1+n+x" model (e.g. 官渡: ≥10 per urban community, ≥5 per 村改居)."""

    urban_minimum = models.PositiveIntegerField(
        _("organisations per urban community"), default=10, validators=[MinValueValidator(0)]
    )
    village_minimum = models.PositiveIntegerField(
        _("organisations per village-to-residential community"), default=5, validators=[MinValueValidator(0)]
    )
    inactive_after_days = models.PositiveIntegerField(
        _("flag organisations inactive after (days)"), default=180, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("targets and thresholds")

    def minimum_for(self, kind: str) -> int:
        return self.urban_minimum if kind == CommunityKind.URBAN else self.village_minimum

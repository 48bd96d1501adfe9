from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "incubator.funding"
    label = "funding"
    verbose_name = _("Venture philanthropy")
    default_auto_field = "django.db.models.BigAutoField"

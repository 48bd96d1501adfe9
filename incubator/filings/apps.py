from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingsConfig(AppConfig):
    name = "incubator.filings"
    label = "filings"
    verbose_name = _("Filing and registration")
    default_auto_field = "django.db.models.BigAutoField"

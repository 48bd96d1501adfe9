from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "incubator.orgs"
    label = "orgs"
    verbose_name = _("Organisations")
    default_auto_field = "django.db.models.BigAutoField"

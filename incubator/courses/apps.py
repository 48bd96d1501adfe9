from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "incubator.courses"
    label = "courses"
    verbose_name = _("Capacity building")
    default_auto_field = "django.db.models.BigAutoField"

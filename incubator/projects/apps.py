from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "incubator.projects"
    label = "projects"
    verbose_name = _("Funded projects")
    default_auto_field = "django.db.models.BigAutoField"

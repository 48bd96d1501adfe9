from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _open_projects(sender, **kwargs):
    from incubator.projects.services import open_projects_for_awards

    open_projects_for_awards()


class ProjectsConfig(AppConfig):
    name = "incubator.projects"
    label = "projects"
    verbose_name = _("Funded projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from incubator.funding.signals import awards_final

        awards_final.connect(_open_projects, dispatch_uid="projects_open_for_awards")

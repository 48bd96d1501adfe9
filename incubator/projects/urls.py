"""URLs of the project pages, by audience; config/urls_tenant.py mounts each under its prefix."""

from __future__ import annotations

from django.urls import path

from incubator.projects.views.evaluation import evaluation_list, evaluation_project
from incubator.projects.views.files import evidence_download
from incubator.projects.views.portal import contract, portal_project, portal_projects
from incubator.projects.views.supervision import supervision_list, supervision_project

portal_urlpatterns = [
    path("projects/", portal_projects, name="projects_portal_list"),
    path("projects/<int:pk>/", portal_project, name="projects_portal_project"),
    path("projects/<int:pk>/contract.pdf", contract, name="projects_portal_contract"),
    path("projects/evidence/<int:pk>/", evidence_download, name="projects_evidence"),
]
supervision_urlpatterns = [
    path("", supervision_list, name="projects_supervision_list"),
    path("<int:pk>/", supervision_project, name="projects_supervision_project"),
]
evaluation_urlpatterns = [
    path("", evaluation_list, name="projects_evaluation_list"),
    path("<int:pk>/", evaluation_project, name="projects_evaluation_project"),
]

"""Downloading a project's evidence (/portal/projects/evidence/<pk>/), for everyone who may see the project:
its organisation, supervisor, evaluator and the hub's operators. Anyone else gets a 404, never a hint."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from incubator.files import serve_stored
from incubator.orgs.portal import portal_login_required
from incubator.projects import services


@never_cache
@portal_login_required
def evidence_download(request, pk):
    evidence = get_object_or_404(services.evidence_for(request.user), pk=pk)
    response = serve_stored(evidence.file, download_name=evidence.original_name or None)
    response["Cache-Control"] = "private, no-store"
    return response

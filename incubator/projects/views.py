"""Pages of the people who run and follow a project: the organisation (/portal/projects/…), its
supervisor (/supervision/…) and its third-party evaluator (/evaluation/…)."""

portal_urlpatterns: list = []
supervision_urlpatterns: list = []
evaluation_urlpatterns: list = []

"""Public pages, no account: the residents' appraisal form (/appraisal/…), published appraisal results
on the notice board (/notices/appraisals/…) and a project's published progress (/progress/…)."""

appraisal_urlpatterns: list = []
notice_urlpatterns: list = []
progress_urlpatterns: list = []

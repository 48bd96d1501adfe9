"""URLs on a hub's own host (jiangan.localhost, a custom domain…)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config import views
from incubator.accounts import views as account_views
from incubator.accounts.forms import LoginForm
from incubator.courses import public_views as course_public_views
from incubator.filings import portal as filings_portal
from incubator.funding import views as funding_views
from incubator.orgs import portal
from incubator.projects import public_views as project_public_views
from incubator.projects import urls as project_urls

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("_floor", views.floor, name="floor"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Wagtail's own: the same address, with a limit on reset e-mails.
    path("admin/password_reset/", account_views.ThrottledPasswordResetView.as_view()),
    path("admin/", include(wagtailadmin_urls)),
    path(
        "portal/login/",
        auth_views.LoginView.as_view(template_name="portal/login.html", authentication_form=LoginForm),
        name="portal_login",
    ),
    path("portal/logout/", auth_views.LogoutView.as_view(next_page="portal_login"), name="portal_logout"),
    path("portal/", include(account_views.portal_urlpatterns)),  # forgot password, confirmation again
    path("portal/", include(funding_views.portal_urlpatterns)),
    path("portal/", include(project_urls.portal_urlpatterns)),
    path("portal/", include(portal)),
    path("portal/", include(filings_portal)),
    path("review/", include(funding_views.review_urlpatterns)),
    path("supervision/", include(project_urls.supervision_urlpatterns)),
    path("evaluation/", include(project_urls.evaluation_urlpatterns)),
    path("appraisal/", include(project_public_views.appraisal_urlpatterns)),
    path("progress/", include(project_public_views.progress_urlpatterns)),
    path("notices/", include(project_public_views.notice_urlpatterns)),
    path("training/", include(course_public_views.training_urlpatterns)),
    path("certificates/", include(course_public_views.certificate_urlpatterns)),
    path("notices/", include(funding_views.notice_urlpatterns)),
    path("documents/", include(wagtaildocs_urls)),
    re_path(r"^media/(?P<schema>[a-z][a-z0-9_]*)/(?P<path>.+)$", views.hub_media, name="hub_media"),
    path("", include("cms.views")),  # sitemap.xml, robots.txt, search/, language/: before Wagtail's catch-all
    path("", include(wagtail_urls)),
]

"""URLs on a hub's own host (jiangan.localhost, a custom domain…)."""

from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config import views

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    re_path(r"^media/(?P<schema>[a-z][a-z0-9_]*)/(?P<path>.+)$", views.hub_media, name="hub_media"),
    path("", include(wagtail_urls)),
]

"""URLs on the platform's own host (PLATFORM_DOMAIN): the landing page and the platform console."""

from django.contrib import admin
from django.urls import include, path

from config import views
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.platform_home, name="platform_home"),
    path("healthz", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

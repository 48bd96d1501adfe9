from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Showcase site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import cache
        from incubator.spreadsheets import protect_wagtail_exports

        # No listing's CSV export hands a formula to the operator's spreadsheet (incubator/spreadsheets.py).
        protect_wagtail_exports()

        # Bump a hub's showcase cache version whenever the data its site shows changes (cms/cache.py).
        cache.connect()

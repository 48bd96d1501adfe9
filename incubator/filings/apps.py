from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingsConfig(AppConfig):
    name = "incubator.filings"
    label = "filings"
    verbose_name = _("Filing and registration")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from incubator.filings.portal import home_card_part
        from incubator.orgs.portal import HOME_CARD_PARTS

        if home_card_part not in HOME_CARD_PARTS:
            HOME_CARD_PARTS.append(home_card_part)

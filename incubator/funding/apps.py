from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "incubator.funding"
    label = "funding"
    verbose_name = _("Venture philanthropy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from incubator.funding.selectors import home_card_part
        from incubator.orgs.portal import HOME_CARD_PARTS, HOME_SECTIONS

        if home_card_part not in HOME_CARD_PARTS:
            HOME_CARD_PARTS.append(home_card_part)
        if "funding/_home_applications.html" not in HOME_SECTIONS:
            HOME_SECTIONS.append("funding/_home_applications.html")

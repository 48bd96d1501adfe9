"""The portal's navigation: only the places a person's roles lead to."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from incubator.accounts.roles import Role
from incubator.permissions import OPERATORS

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_links(context) -> list[tuple[str, str]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = set(Role) if user.is_superuser else set(user.groups.values_list("name", flat=True))
    links = []
    if roles & (OPERATORS | {Role.ORGANISATION_MEMBER}) or user.memberships.exists():
        links += [
            (reverse("portal_home"), _("My organisation")),
            (reverse("funding_open_calls"), _("Calls for projects")),
            (reverse("projects_portal_list"), _("My projects")),
        ]
    if Role.EXPERT in roles:
        links.append((reverse("funding_my_reviews"), _("My reviews")))
    if Role.SUPERVISOR in roles:
        links.append((reverse("projects_supervision_list"), _("Supervision")))
    if Role.EVALUATOR in roles:
        links.append((reverse("projects_evaluation_list"), _("Evaluation")))
    if roles & OPERATORS:
        links.append(("/admin/", _("Back office")))
    links.append((reverse("portal_notifications"), _("E-mail notifications")))
    return links

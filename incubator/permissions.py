"""Who may do what, in one place: the role sets, the checks, and the refusals. Every app imports these; no
service or view writes its own role test.

Roles are Django groups named by ``Role`` (``incubator.accounts.roles``), per hub schema; a superuser holds
every role. "Acting for an organisation" means being one of its members, or an operator (who acts for all).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from incubator.accounts.roles import Role

OPERATORS = frozenset({Role.HUB_ADMIN, Role.OPERATOR})  # 孵化基地运营人员
ORGANISATION_PEOPLE = OPERATORS | {Role.ORGANISATION_MEMBER}  # who may act for an organisation
PROJECT_REVIEWERS = OPERATORS | {Role.SUPERVISOR}  # who reviews a project's answers to rectifications
APPRAISAL_ORGANISERS = OPERATORS | {Role.COMMUNITY_WORKER}  # who runs a residents' appraisal


def user_has_role(user, roles: Iterable[str]) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=list(roles)).exists()


def is_operator(user) -> bool:
    return user_has_role(user, OPERATORS)


def operators():
    """The hub's active operators (who are told of what needs them)."""
    return get_user_model().objects.filter(groups__name__in=list(OPERATORS), is_active=True).distinct()


def can_act_for(user, organisation) -> bool:
    if is_operator(user):
        return True
    return bool(user and user.is_authenticated) and user.memberships.filter(organisation=organisation).exists()


def require_role(user, roles: Iterable[str], message: str) -> None:
    if not user_has_role(user, roles):
        raise PermissionDenied(message)


def require_operator(user) -> None:
    require_role(user, OPERATORS, _("This page is for hub operators."))


def require_can_act_for(user, organisation) -> None:
    if not user or not user.is_authenticated or not can_act_for(user, organisation):
        raise PermissionDenied(_("You do not act for this organisation."))

"""The roles people hold within a hub, kept as Django groups named by their stable code."""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HUB_ADMIN = "hub_admin", _("Hub administrator")
    OPERATOR = "operator", _("Hub operator")  # 孵化基地运营人员
    ORGANISATION_MEMBER = "organisation_member", _("Organisation member")  # 社会组织成员
    EXPERT = "expert", _("Review expert")  # 评审专家
    SUPERVISOR = "supervisor", _("Supervisor")  # 督导
    EVALUATOR = "evaluator", _("Third-party evaluator")  # 第三方评估机构
    COMMUNITY_WORKER = "community_worker", _("Community worker")  # 社区工作者


# Roles that work in the back office (Wagtail's admin), and the apps whose records they keep there.
BACK_OFFICE_ROLES = (Role.HUB_ADMIN, Role.OPERATOR)
BACK_OFFICE_APPS = ("areas", "orgs", "filings", "funding", "projects")
# Operators also keep the hub's showcase site: its branding and menu settings (app ``cms``), its pages (page
# permissions on the tree's root) and the images and documents those use (collection permissions).
SHOWCASE_APPS = ("cms", "wagtailimages", "wagtaildocs")
PAGE_RIGHTS = ("add", "change", "publish", "lock", "unlock")
COLLECTION_RIGHTS = {
    "wagtailimages": ("add_image", "change_image", "choose_image", "delete_image"),
    "wagtaildocs": ("add_document", "change_document", "choose_document", "delete_document"),
}


def ensure_roles(*, sync_permissions: bool = False) -> dict[str, Group]:
    """Create the hub's role groups; with ``sync_permissions`` (or when new) grant back-office rights.

    Runs in the current hub's schema; safe to call again.
    """
    existing = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    missing = [Group(name=code) for code in Role.values if code not in existing]
    if missing:
        Group.objects.bulk_create(missing)
        existing = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    if missing or sync_permissions:
        rights = list(
            Permission.objects.filter(content_type__app_label__in=BACK_OFFICE_APPS + SHOWCASE_APPS)
            | Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        for code in BACK_OFFICE_ROLES:
            existing[code].permissions.add(*rights)
            _grant_showcase(existing[code])
        # Community workers record residents' needs in the back office, and nothing else.
        existing[Role.COMMUNITY_WORKER].permissions.add(
            *Permission.objects.filter(
                Q(content_type__app_label="funding", codename__in=["add_need", "change_need", "view_need"])
                | Q(content_type__app_label="wagtailadmin", codename="access_admin")
            )
        )
    return existing


def _grant_showcase(group: Group) -> None:
    """Page rights over the hub's whole tree and rights on the root collection (the schema is the hub's)."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root, collection = Page.get_first_root_node(), Collection.get_first_root_node()
    if root is not None:
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=[f"{kind}_page" for kind in PAGE_RIGHTS]
        ):
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
    if collection is not None:
        wanted = Q()
        for app_label, codenames in COLLECTION_RIGHTS.items():
            wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
        for permission in Permission.objects.filter(wanted):
            GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)

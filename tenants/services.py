"""Provisioning hubs: validation first, then one transaction that clones, names and staffs the hub."""

import contextlib
import logging

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_creation_fakes_migrations, schema_exists, tenant_context

from tenants.models import Domain, Hub
from tenants.validation import validate_new_hub

logger = logging.getLogger(__name__)


class ProvisioningError(Exception):
    """Provisioning failed; ``errors`` maps a field (or ``__all__``) to translated messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(message for messages in errors.values() for message in messages))


def provision_hub(
    *,
    actor,
    schema_name: str,
    name: str,
    domain: str,
    admin_email: str,
    admin_password: str | None = None,
    send_welcome: bool = True,
) -> Hub:
    """Create a hub from the clone template: schema, domain, Wagtail site and home page, roles, first admin.

    Everything happens in one transaction (PostgreSQL's DDL is transactional), so a failure at any step
    leaves no schema and no rows behind. The welcome e-mail is queued only once the hub exists.
    """
    from django.core.exceptions import ValidationError

    schema_name = (schema_name or "").strip()
    domain = (domain or "").strip().lower()
    admin_email = (admin_email or "").strip().lower()
    name = (name or "").strip()
    try:
        validate_new_hub(schema_name=schema_name, name=name, domain=domain, admin_email=admin_email)
    except ValidationError as exc:
        raise ProvisioningError(exc.message_dict) from None

    hub = Hub(schema_name=schema_name, name=name, admin_email=admin_email)
    # Cloning is transactional DDL: one transaction undoes everything on failure. Replaying migrations
    # cannot run in one transaction (Wagtail's drop tables with pending triggers), so that path, used
    # only when there is no template, relies on _remove_leftovers instead.
    base = hub.get_base_schema() if get_creation_fakes_migrations() else False
    transactional = bool(base and schema_exists(base))
    atomic = transaction.atomic if transactional else contextlib.nullcontext
    try:
        with atomic():
            hub.save(verbosity=0)
            Domain.objects.create(domain=domain, tenant=hub, is_primary=True)
            with tenant_context(hub):
                admin = _set_up_hub_schema(
                    hub=hub, domain=domain, actor=actor, admin_email=admin_email, password=admin_password
                )
            if send_welcome:
                transaction.on_commit(lambda: _queue_welcome(hub.schema_name, admin.pk))
    except IntegrityError:
        # Another request took the schema or domain between validation and insert.
        if not transactional and hub.pk:
            _remove_leftovers(hub)
        raise ProvisioningError({"__all__": [_("The schema name or domain was taken meanwhile; try again.")]}) from None
    except Exception:
        if not transactional and hub.pk:
            _remove_leftovers(hub)
        raise
    finally:
        connection.set_schema_to_public()
    return hub


def _set_up_hub_schema(*, hub: Hub, domain: str, actor, admin_email: str, password: str | None):
    from wagtail.models import Site

    from cms.models import HomePage
    from incubator.accounts.services import create_hub_admin
    from incubator.audit.services import record_event

    # The template's Site answers to the template's placeholder host; make it this hub's.
    Site.objects.filter(is_default_site=True).update(hostname=domain, port=80, site_name=hub.name)
    HomePage.objects.update(title=hub.name, draft_title=hub.name, seo_title=hub.name)
    with transaction.atomic():  # the hub's first admin and its audit row, together (a savepoint when cloning)
        admin = create_hub_admin(email=admin_email, password=password)
        record_event(
            actor=None,
            action="hub.provisioned",
            subject=hub,
            to_state="live",
            reason=_("Provisioned by %(actor)s") % {"actor": getattr(actor, "email", None) or _("the platform")},
        )
    return admin


def _queue_welcome(schema_name: str, user_id: int) -> None:
    from incubator.accounts.tasks import send_welcome_email

    # The header names the hub explicitly: this runs after commit, outside tenant_context.
    send_welcome_email.apply_async(args=[user_id], headers={"_schema_name": schema_name})


def _remove_leftovers(hub: Hub) -> None:
    """After a failure on the non-transactional path: remove the hub row this call saved, and its schema."""
    try:
        connection.set_schema_to_public()
        hub.delete(force_drop=True)
    except Exception:  # the original error matters more than this clean-up's
        logger.exception("could not remove what a failed provisioning of %s left", hub.schema_name)


def ensure_platform(*, platform_domain: str) -> Hub:
    """The public tenant (platform console at the platform domain) and the clone template. Idempotent."""
    public, _created = Hub.objects.get_or_create(schema_name="public", defaults={"name": "Platform"})
    Domain.objects.get_or_create(domain=platform_domain, defaults={"tenant": public, "is_primary": True})
    ensure_template()
    return public


def ensure_template() -> Hub:
    """The template schema, built once by migrations; migrate_schemas keeps it current since it is a Hub row."""
    from django.conf import settings

    template = Hub.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
    if template is None:
        template = Hub(schema_name=settings.TENANT_BASE_SCHEMA, name="Template", is_template=True)
        template.save(verbosity=0)
    return template

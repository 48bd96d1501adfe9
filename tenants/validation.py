"""Checks on a new hub's schema name, domain, name and first administrator, made before anything is written."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

SCHEMA_MAX_LENGTH = 30
SCHEMA_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# Names a hub may not take: PostgreSQL's own, the platform's, and host labels we keep for ourselves.
RESERVED_SCHEMAS = frozenset(
    {
        "public",
        "information_schema",
        "default",
        "postgres",
        "template",
        "admin",
        "api",
        "www",
        "static",
        "media",
        "mail",
        "platform",
        "localhost",
        "billing",
        "test",
    }
)
RESERVED_PREFIXES = ("pg_", "hub_template")
DOMAIN_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def schema_name_errors(schema_name: str) -> list[str]:
    from tenants.models import Hub

    if not schema_name:
        return [_("Enter a schema name.")]
    if len(schema_name) > SCHEMA_MAX_LENGTH:
        return [
            _("The schema name “%(name)s” is %(length)d characters long; at most %(max)d are allowed.")
            % {"name": schema_name, "length": len(schema_name), "max": SCHEMA_MAX_LENGTH}
        ]
    if schema_name != schema_name.lower():
        return [_("The schema name “%(name)s” must be lowercase.") % {"name": schema_name}]
    if not SCHEMA_PATTERN.match(schema_name):
        return [
            _(
                "The schema name “%(name)s” may contain only lowercase letters, digits and underscores, "
                "and must start with a letter."
            )
            % {"name": schema_name}
        ]
    if schema_name in RESERVED_SCHEMAS or schema_name.startswith(RESERVED_PREFIXES):
        return [_("The schema name “%(name)s” is reserved.") % {"name": schema_name}]
    if Hub.objects.filter(schema_name=schema_name).exists() or schema_exists(schema_name, case_sensitive=False):
        return [_("A hub with the schema name “%(name)s” already exists.") % {"name": schema_name}]
    return []


def domain_errors(domain: str) -> list[str]:
    from tenants.models import Domain

    if not domain:
        return [_("Enter a domain.")]
    if domain == settings.PLATFORM_DOMAIN:
        return [_("“%(domain)s” is the platform's own domain.") % {"domain": domain}]
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels):
        return [
            _(
                "“%(domain)s” is not a valid domain: use dot-separated labels of letters, digits and "
                "hyphens, such as jiangan.example.cn."
            )
            % {"domain": domain}
        ]
    if Domain.objects.filter(domain=domain).exists():
        return [_("The domain “%(domain)s” already belongs to a hub.") % {"domain": domain}]
    return []


def validate_new_hub(*, schema_name: str, name: str, domain: str, admin_email: str) -> None:
    """Raise one ValidationError listing every problem, keyed by field."""
    errors: dict[str, list[str]] = {}
    if problems := schema_name_errors(schema_name):
        errors["schema_name"] = problems
    if not name.strip():
        errors["name"] = [_("Enter the hub's name.")]
    elif len(name) > 200:
        errors["name"] = [_("The hub's name is longer than 200 characters.")]
    if problems := domain_errors(domain):
        errors["domain"] = problems
    try:
        validate_email(admin_email)
    except ValidationError:
        errors["admin_email"] = [_("“%(email)s” is not a valid e-mail address.") % {"email": admin_email}]
    if errors:
        raise ValidationError(errors)

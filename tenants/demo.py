"""The demo hubs `make run` starts with, and their logins (printed at start-up and in the README)."""

from django.db import connection
from django_tenants.utils import schema_context

from incubator.accounts.models import User
from tenants.demo_accounts import DEMO_HUBS, DEMO_PASSWORD, PLATFORM_STAFF  # noqa: F401
from tenants.models import Hub
from tenants.services import provision_hub


def demo_domain(subdomain: str) -> str:
    from django.conf import settings

    return f"{subdomain}.{settings.PLATFORM_DOMAIN}"


def ensure_platform_staff() -> None:
    with schema_context("public"):
        if not User.objects.filter(email=PLATFORM_STAFF["email"]).exists():
            User.objects.create_superuser(email=PLATFORM_STAFF["email"], password=PLATFORM_STAFF["password"])


def ensure_demo_hubs() -> list[Hub]:
    """Provision the demo hubs that are missing, and give each its demo content once."""
    from django_tenants.utils import tenant_context

    from cms.demo import load_cms_demo
    from incubator.courses.demo import load_courses_demo
    from incubator.demo import load_demo, load_funding_demo
    from incubator.projects.demo import load_projects_demo

    created = []
    for spec in DEMO_HUBS:
        hub = Hub.objects.filter(schema_name=spec["schema_name"]).first()
        if hub is None:
            hub = provision_hub(
                actor=None,
                schema_name=spec["schema_name"],
                name=spec["name"],
                domain=demo_domain(spec["subdomain"]),
                admin_email=spec["admin_email"],
                admin_password=DEMO_PASSWORD,
                send_welcome=False,
            )
            created.append(hub)
        with tenant_context(hub):
            load_demo(spec["schema_name"], password=DEMO_PASSWORD)
            load_funding_demo(spec["schema_name"], password=DEMO_PASSWORD)
            load_projects_demo(spec["schema_name"], password=DEMO_PASSWORD)
            load_courses_demo(spec["schema_name"])
            load_cms_demo(spec["schema_name"])
    connection.set_schema_to_public()
    return created

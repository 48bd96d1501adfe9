"""Bring a database to a running state: migrations, platform tenant, clone template, and demo hubs.

Idempotent: run it on every start; it creates nothing twice and keeps all data.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.demo import DEMO_HUBS, PLATFORM_STAFF, ensure_demo_hubs, ensure_platform_staff
from tenants.services import ensure_platform


class Command(BaseCommand):
    help = "Migrate, then make sure the platform tenant, the clone template and (with --demo) demo hubs exist."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="also create the demo hubs and logins")
        parser.add_argument("--no-static", action="store_true", help="skip collectstatic")

    def handle(self, *args, **options):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        ensure_platform(platform_domain=settings.PLATFORM_DOMAIN)
        # Tenants, the template among them; a hub whose migrations are current costs ~0.3 s.
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        # New back-office apps bring new permissions; give them to the roles of hubs that already exist.
        from django_tenants.utils import tenant_context

        from incubator.accounts.roles import ensure_roles
        from tenants.models import Hub

        for hub in Hub.objects.live():
            with tenant_context(hub):
                ensure_roles(sync_permissions=True)
        if not options["no_static"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        if options["demo"]:
            ensure_platform_staff()
            created = ensure_demo_hubs()
            for hub in created:
                self.stdout.write(f"created demo hub {hub.schema_name}")
        self.stdout.write("bootstrap done")


__all__ = ["DEMO_HUBS", "PLATFORM_STAFF"]

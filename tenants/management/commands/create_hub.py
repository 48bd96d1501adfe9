from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tenants.services import ProvisioningError, provision_hub


class Command(BaseCommand):
    help = "Provision a new hub from the clone template: schema, domain, site, roles and first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="schema name: lowercase letters, digits, _")
        parser.add_argument("--name", required=True, help="the hub's name, e.g. 江岸区社会组织孵化基地")
        parser.add_argument("--domain", required=True, help="host the hub answers at, e.g. jiangan.localhost")
        parser.add_argument("--admin-email", required=True, help="the first administrator's e-mail")
        parser.add_argument("--admin-password", default=None, help="optional; otherwise set via the welcome e-mail")

    def handle(self, *args, **options):
        try:
            hub = provision_hub(
                actor=None,
                schema_name=options["schema"],
                name=options["name"],
                domain=options["domain"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
            )
        except ProvisioningError as exc:
            lines = [f"{field}: {message}" for field, messages in exc.errors.items() for message in messages]
            raise CommandError("\n".join([_("The hub was not created:"), *lines])) from None
        self.stdout.write(
            self.style.SUCCESS(_("Hub “%(name)s” is live at %(url)s") % {"name": hub.name, "url": hub.primary_url("/")})
        )

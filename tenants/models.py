from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.clone import CloneSchema
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_creation_fakes_migrations, get_public_schema_name, schema_exists


class HubQuerySet(models.QuerySet):
    def live(self):
        """Hubs people use: not the platform's own public schema, not the clone template."""
        return self.exclude(schema_name=get_public_schema_name()).exclude(is_template=True)


class Hub(TenantMixin):
    """A district incubation hub (社会组织孵化基地): one tenant, one PostgreSQL schema."""

    name = models.CharField(_("name"), max_length=200)
    is_template = models.BooleanField(
        _("clone template"),
        default=False,
        help_text=_("The schema new hubs are cloned from. It has no domain and holds no users."),
    )
    admin_email = models.EmailField(_("first administrator's e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Deleting a row never drops a hub's data by accident; dropping is an explicit force_drop.
    auto_drop_schema = False

    objects = HubQuerySet.as_manager()

    class Meta:
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")
        ordering = ["name"]

    def __str__(self):
        return self.name or self.schema_name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Clone the template without replaying its migration graph.

        ``clone_mode = "DATA"`` copies the template's ``django_migrations`` rows with everything else,
        so the stock path's ``migrate_schemas --fake`` that follows the clone only re-reads the
        migration graph to write nothing; skipping it is most of the cost of provisioning.
        """
        base = self.get_base_schema() if get_creation_fakes_migrations() else False
        if not (sync_schema and base and base != self.schema_name and schema_exists(base)):
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        _clone_schema(base, self.schema_name)
        return True

    def primary_url(self, path: str = "/") -> str:
        from django.conf import settings

        domain = self.get_primary_domain()
        port = "" if settings.PUBLIC_PORT in ("80", "443") else f":{settings.PUBLIC_PORT}"
        return f"{settings.PUBLIC_SCHEME}://{domain.domain}{port}{path}" if domain else ""


class _ReusedCloneSchema(CloneSchema):
    """django-tenants (re)creates its ~4,600-line clone function before every clone; once is enough.

    The installed function is tagged with a hash of django-tenants' SQL, so an upgrade that changes
    the function replaces it on the next clone.
    """

    def _create_clone_schema_function(self):
        import hashlib

        from django.db import connection
        from django_tenants.clone import CLONE_SCHEMA_FUNCTION

        tag = "django-tenants " + hashlib.sha256(CLONE_SCHEMA_FUNCTION.encode()).hexdigest()[:16]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT obj_description(oid, 'pg_proc') FROM pg_proc "
                "WHERE proname = 'clone_schema' AND pronamespace = 'public'::regnamespace"
            )
            if [row[0] for row in cursor.fetchall()] == [tag]:
                return
            super()._create_clone_schema_function()
            cursor.execute(
                "SELECT oid::regprocedure::text FROM pg_proc "
                "WHERE proname = 'clone_schema' AND pronamespace = 'public'::regnamespace"
            )
            for (signature,) in cursor.fetchall():
                cursor.execute(f"COMMENT ON FUNCTION {signature} IS %s", [tag])


def _clone_schema(base: str, new: str) -> None:
    from tenants import cloning

    if schema_exists(new, case_sensitive=False):
        raise ValueError(f"schema {new} already exists")
    if not cloning.clone(base, new):
        _ReusedCloneSchema().clone_schema(base, new, Hub.clone_mode)


class Domain(DomainMixin):
    """A host name that reaches one hub (e.g. jiangan.localhost or a custom domain)."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        return self.domain

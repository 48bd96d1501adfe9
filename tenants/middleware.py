from django.http import Http404
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware


class HubMiddleware(TenantMainMiddleware):
    """Route by host to a hub's schema; an unknown host (or the clone template) is a plain 404."""

    def get_tenant(self, domain_model, hostname):
        tenant = super().get_tenant(domain_model, hostname)
        if tenant.is_template:
            raise domain_model.DoesNotExist
        return tenant

    def no_tenant_found(self, request, hostname):
        raise Http404(_("No hub answers at “%(host)s”.") % {"host": hostname})

"""The platform console (public schema): platform staff see and provision hubs."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incubator.accounts.forms import PlatformLoginForm
from tenants.models import Domain, Hub
from tenants.services import ProvisioningError, provision_hub
from tenants.validation import validate_new_hub

# Platform staff's sign-in is throttled like every other (incubator/accounts/forms.py).
admin.site.login_form = PlatformLoginForm


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]


class NewHubForm(forms.ModelForm):
    domain = forms.CharField(label=_("domain"), max_length=253, help_text=_("e.g. jiangan.example.cn"))

    class Meta:
        model = Hub
        fields = ["name", "schema_name", "admin_email"]

    def clean(self):
        data = super().clean()
        try:
            validate_new_hub(
                schema_name=data.get("schema_name", ""),
                name=data.get("name", ""),
                domain=(data.get("domain") or "").strip().lower(),
                admin_email=data.get("admin_email", ""),
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                for problem in problems:
                    self.add_error(field if field in self.fields else None, problem)
        return data


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_name", "primary_domain", "admin_email", "created_at"]
    search_fields = ["name", "schema_name", "domains__domain"]
    readonly_fields = ["schema_name", "created_at", "is_template"]
    inlines = [DomainInline]

    def get_queryset(self, request):
        return super().get_queryset(request).live().prefetch_related("domains")

    @admin.display(description=_("domain"))
    def primary_domain(self, obj):
        return next((d.domain for d in obj.domains.all() if d.is_primary), "")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewHubForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            hub = provision_hub(
                actor=request.user,
                schema_name=form.cleaned_data["schema_name"],
                name=form.cleaned_data["name"],
                domain=form.cleaned_data["domain"],
                admin_email=form.cleaned_data["admin_email"],
            )
        except ProvisioningError as exc:
            for message_list in exc.errors.values():
                for message in message_list:
                    messages.error(request, message)
            raise
        obj.pk = hub.pk

    def has_delete_permission(self, request, obj=None):
        return False  # hubs are never deleted from the console: their data is public money's record

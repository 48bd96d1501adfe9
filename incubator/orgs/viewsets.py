"""Wagtail's create and edit screens for records that have rules: the form validates what was typed, the
record's service writes it (checks, audit, side effects). A refusal comes back on the form, next to its field,
with everything typed kept; Wagtail's own save never runs."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import messages
from django.contrib.postgres.fields import ArrayField
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput
from wagtail.permission_policies import ModelPermissionPolicy

from incubator.errors import REFUSALS, show_problems


def _typed(form, names=None) -> dict:
    fields = form._meta.fields if names is None else names
    return {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}


class _ThroughService:
    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except REFUSALS as exc:
            show_problems(self.request, exc, form=form)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        return self.run_after_hook() or response


def create_view(service):
    """A create view whose save is ``service(actor=…, **typed fields)``."""

    class View(_ThroughService, CreateView):
        def save_instance(self):
            return service(actor=self.request.user, **_typed(self.form))

    return View


def edit_view(service, argument: str, *, extra: tuple[str, ...] = ()):
    """An edit view whose save is ``service(actor=…, <argument>=the record, **changed fields)``; ``extra`` names
    form fields that are not the model's (e.g. the reason for a change) and are passed as typed."""

    class View(_ThroughService, EditView):
        def save_instance(self):
            original = type(self.object).objects.get(pk=self.object.pk)  # the form has changed self.object
            changed = [name for name in self.form.changed_data if name in self.form._meta.fields]
            return service(
                actor=self.request.user,
                **{argument: original},
                **_typed(self.form, changed),
                **_typed(self.form, extra),
            )

    return View


def still_referring(instance) -> list:
    """The records that stop ``instance`` from being deleted (protected or restricted references)."""
    collector = Collector(using=router.db_for_write(type(instance)))
    try:
        collector.collect([instance])
    except ProtectedError as error:
        return list(error.protected_objects)
    except RestrictedError as error:
        return list(error.restricted_objects)
    return []


def _refusal(instance, blocking) -> str:
    kinds = Counter(str(row._meta.verbose_name_plural) for row in blocking)
    return _("“%(object)s” cannot be deleted while other records refer to it: %(records)s.") % {
        "object": instance,
        "records": _(", ").join(
            _("%(what)s (%(number)s)") % {"what": what, "number": number} for what, number in sorted(kinds.items())
        ),
    }


class GuardedDeleteView(DeleteView):
    """Deleting a record that others still refer to (an organisation with applications, a street with
    communities) is explained on the confirmation page and refused with the same words, never a 500."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if blocking := still_referring(self.object):
            messages.warning(request, _refusal(self.object, blocking))
        return response

    def form_valid(self, form):
        if blocking := still_referring(self.object):
            messages.error(self.request, _refusal(self.object, blocking))
            return redirect(self.get_success_url())
        return super().form_valid(form)


class HubModelViewSet(ModelViewSet):
    """Our back-office screens: date and time pickers (ISO, whatever the language), a list of choices as
    labelled checkboxes rather than a text box of internal codes, and deletion that explains a refusal."""

    delete_view_class = GuardedDeleteView

    def formfield_for_dbfield(self, db_field, **kwargs):
        if isinstance(db_field, ArrayField) and db_field.base_field.choices:
            return forms.TypedMultipleChoiceField(
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
                choices=db_field.base_field.choices,
                required=not db_field.blank,
                widget=forms.CheckboxSelectMultiple,
            )
        if isinstance(db_field, models.DateTimeField):
            kwargs.setdefault("widget", AdminDateTimeInput)
        elif isinstance(db_field, models.DateField):
            kwargs.setdefault("widget", AdminDateInput)
        return super().formfield_for_dbfield(db_field, **kwargs)


class ServiceOnlyPolicy(ModelPermissionPolicy):
    """Model permissions, less the actions that must go through a service: an incubation starts with the
    organisation's application, and a filing moves only by its workflow."""

    def __init__(self, model, denied):
        super().__init__(model)
        self.denied = frozenset(denied)

    def user_has_permission(self, user, action):
        return action not in self.denied and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return action not in self.denied and super().user_has_permission_for_instance(user, action, instance)


def index_with(*related):
    """An index view that fetches related rows in the same query (a constant count per page)."""

    class View(IndexView):
        def get_base_queryset(self):
            return super().get_base_queryset().select_related(*related)

    return View

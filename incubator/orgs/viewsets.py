"""Wagtail's create and edit screens for records that have rules: the form validates what was typed, the
record's service writes it (checks, audit, side effects). A refusal comes back on the form, next to its field,
with everything typed kept; Wagtail's own save never runs."""

from __future__ import annotations

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.db import models, transaction
from django.utils.text import capfirst
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.models import CreateView, EditView
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


class HubModelViewSet(ModelViewSet):
    """Our back-office screens: date and time pickers (ISO, whatever the language), and a list of choices as
    labelled checkboxes rather than a text box of internal codes."""

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

"""Back-office forms of venture philanthropy: each checks what was typed with the model's limits; the services
check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.funding.models import MONEY, BudgetCategory, Criterion, TargetGroup
from incubator.widgets import DateTimeInput

REASON_MAX = 500


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.TextInput(attrs={"size": 30}),
        help_text=_("Required once organisations have applied; they are told."),
    )


class StandardForm(ReasonForm):
    category = forms.ChoiceField(label=_("budget category"), choices=BudgetCategory.choices)
    max_percent = forms.DecimalField(
        label=_("at most (% of the budget)"), min_value=0, max_value=100, max_digits=5, decimal_places=2, required=False
    )
    max_amount = forms.DecimalField(label=_("at most (yuan)"), min_value=0, required=False, **MONEY)
    field_order = ["category", "max_percent", "max_amount", "reason"]


class QuotaForm(ReasonForm):
    target_group = forms.ChoiceField(label=_("target group"), choices=TargetGroup.choices)
    min_percent = forms.DecimalField(
        label=_("at least (% of funded projects)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    field_order = ["target_group", "min_percent", "reason"]


class ReopenForm(forms.Form):
    closes_at = forms.DateTimeField(label=_("new closing time"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("criterion"), max_length=Criterion._meta.get_field("name").max_length)
    guidance = forms.CharField(
        label=_("guidance"),
        required=False,
        max_length=Criterion._meta.get_field("guidance").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.DecimalField(
        label=_("weight (%)"), min_value=Decimal("0.01"), max_value=100, max_digits=5, decimal_places=2
    )


class BaseCriterionFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            {k: form.cleaned_data[k] for k in ("name", "guidance", "weight")}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


CriterionFormSet = forms.formset_factory(
    CriterionForm, formset=BaseCriterionFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)

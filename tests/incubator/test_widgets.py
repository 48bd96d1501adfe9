"""Every date input of ours renders ISO values whatever the language, so <input type="date"> can show them and
the next save does not send an empty date (Chinese formats dates as 2027/03/01)."""

import datetime
import importlib
import inspect
import pathlib

import pytest
from django import forms
from django.utils import translation

from incubator.widgets import DateInput

ROOT = pathlib.Path(__file__).resolve().parents[2]
DAY = datetime.date(2027, 3, 1)
FORM_MODULES = (
    "incubator.funding.views",
    "incubator.orgs.admin_views",
    "incubator.orgs.portal",
    "incubator.filings.admin_views",
    "incubator.filings.portal",
    "incubator.projects.admin_views",
    "incubator.projects.forms",
)


def _forms_with_dates():
    found = []
    for name in FORM_MODULES:
        for _attr, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                dates = [f for f, field in cls.base_fields.items() if isinstance(field, forms.DateField)]
                if dates:
                    found.append((cls, dates))
    return found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.django_db
def test_every_date_field_of_every_form_renders_iso(language, in_hub_a):
    found = _forms_with_dates()
    assert len(found) >= 8  # the application, milestones, filings, contracts, reports, visits…
    with translation.override(language):
        for cls, dates in found:
            if issubclass(cls, forms.ModelForm):
                form = cls(instance=cls._meta.model(**dict.fromkeys(dates, DAY)))
            else:
                form = cls.__new__(cls)
                forms.BaseForm.__init__(form, initial=dict.fromkeys(dates, DAY))
            for field in dates:
                html = str(form[field])
                assert 'value="2027-03-01"' in html and 'type="date"' in html, (cls, field, html)
                assert "2027/03/01" not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_iso_date_typed_in_either_language_is_understood(language):
    class Form(forms.Form):
        on = forms.DateField(widget=DateInput())

    with translation.override(language):
        form = Form({"on": "2027-03-01"})
        assert form.is_valid() and form.cleaned_data["on"] == DAY


def test_no_form_of_ours_uses_djangos_localised_date_widgets():
    offenders = []
    for path in [*ROOT.glob("incubator/**/*.py"), *ROOT.glob("cms/**/*.py"), *ROOT.glob("tenants/**/*.py")]:
        if "migrations" in path.parts or path.name == "widgets.py":
            continue
        text = path.read_text()
        if "forms.DateInput(" in text or "forms.DateTimeInput(" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []

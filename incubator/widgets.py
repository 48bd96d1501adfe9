"""Form widgets every app uses. HTML's date and datetime inputs understand only ISO values, whatever the page's
language: Django's own widgets render the language's format (``2027/03/01`` in Chinese), which the browser
cannot show, so the value was lost on the next save. These always render ISO."""

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATETIME)

"""Model fields shared by the hub's apps."""

from django.core.validators import MaxLengthValidator
from django.db import models

TEXT_MAX_LENGTH = 5000  # characters: several pages of Chinese, more than any form of the hub asks for


class BoundedTextField(models.TextField):
    """Text a person types: never unbounded. The limit shows in the form (``maxlength``) and ``full_clean``
    refuses more, so a service validating its model keeps to it whatever the caller sends."""

    def __init__(self, *args, max_length=TEXT_MAX_LENGTH, **kwargs):
        kwargs.setdefault("validators", [MaxLengthValidator(max_length)])
        super().__init__(*args, max_length=max_length, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        if kwargs.get("max_length") == TEXT_MAX_LENGTH:
            kwargs.pop("max_length")
        return name, path, args, kwargs


def mobile_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits (spaces, hyphens and a +86 prefix pasted from elsewhere taken
    away); a ValidationError for anything that is not one."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    digits = "".join(ch for ch in (raw or "") if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) != 11 or digits[0] != "1" or digits[1] not in "3456789":
        raise ValidationError(_("Give an 11-digit mobile number, such as 138 0013 8000."), code="phone")
    return digits

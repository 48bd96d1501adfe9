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

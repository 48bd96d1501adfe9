"""The one error contract between services and views.

A service that refuses raises an ``ApplicationError`` (``TransitionError`` is one) carrying one or more
translated messages, or Django's ``ValidationError`` (a model's ``full_clean``, with the fields it names), or
``PermissionDenied``. A view runs the service through ``run_service``: the messages land on the form next to
the fields they name (the rest above the form), or, for a button without a form, as messages on the next
page. No view writes its own try/except for a service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class ApplicationError(Exception):
    """A rule refused what someone asked. ``messages`` are translated; ``field``, when given, is the form
    field they belong to."""

    def __init__(self, *messages: str, field: str | None = None):
        self.messages = [str(m) for m in messages]
        self.field = field
        super().__init__(*self.messages)

    @property
    def message(self) -> str:
        return self.messages[0] if self.messages else ""


REFUSALS = (ApplicationError, ValidationError, PermissionDenied)


def problems(exc: Exception) -> list[tuple[str | None, str]]:
    """(field or None, translated message) for every problem a refusal carries."""
    if isinstance(exc, ApplicationError):
        return [(exc.field, message) for message in exc.messages]
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                (None if field == NON_FIELD_ERRORS else field, message)
                for field, found in exc.message_dict.items()
                for message in found
            ]
        return [(None, message) for message in exc.messages]
    if isinstance(exc, PermissionDenied):
        return [(None, str(exc) or _("You may not do this."))]
    raise TypeError(f"not a refusal: {exc!r}")


def show_problems(request, exc: Exception, *, form=None, aliases: dict[str, str] | None = None) -> None:
    """``aliases`` names the form's field for a model field the form calls otherwise."""
    for field, message in problems(exc):
        field = (aliases or {}).get(field, field)
        if form is not None:
            form.add_error(field if field in form.fields else None, message)
        else:
            messages.error(request, message)


def run_service(
    request,
    call: Callable[[], Any],
    *,
    form=None,
    success: str | Callable[[Any], str] | None = None,
    aliases: dict[str, str] | None = None,
) -> tuple[bool, Any]:
    """Run one service call for a view: ``(True, result)``, with ``success`` shown as a message; or
    ``(False, None)`` with the refusal shown on ``form`` (or as messages without one). Nothing else is caught:
    a bug stays a bug."""
    try:
        result = call()
    except REFUSALS as exc:
        show_problems(request, exc, form=form, aliases=aliases)
        return False, None
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return True, result

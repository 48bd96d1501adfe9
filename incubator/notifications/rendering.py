"""An event's subject and body in one language, from its templates."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from incubator.notifications.events import get_event


def language_of(user) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def render(event: str, context: dict, *, language: str | None = None) -> tuple[str, str]:
    """The subject (one line) and body of an event, in ``language`` (the hub's default if none)."""
    declared = get_event(event)
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(declared.subject_template, context).split())
        body = render_to_string(declared.body_template, context).strip()
    return subject, body

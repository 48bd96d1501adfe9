"""E-mail to the people of the current hub, one event kind at a time, each in the recipient's language.

The one entry point is ``notify(event, to=…, context=…)`` (``services.py``); events, their preference kind and
their subject and body templates are declared in ``events.py``. See docs/architecture.md, "Notifications".
"""

"""“What the public showcase shows has changed”: one signal, sent by the services that change it.

The showcase (``cms``) caches its pages per hub and listens for this signal to let them go stale. It does not
guess from database writes: a service that changes something the public sees calls ``changed()`` (the
transition runner does so for every change of state; the services that publish, add or edit public records
do so themselves). A new app — courses — only has to call it too. Outside a transaction the receivers act at
once; inside one, on commit (a rolled-back change invalidates nothing).
"""

from django.db import connection
from django.dispatch import Signal

# Sent with ``schema``: the hub whose showcase changed.
showcase_changed = Signal()


def changed(schema: str | None = None) -> None:
    showcase_changed.send(sender=None, schema=schema or connection.schema_name)

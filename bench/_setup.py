"""Shared start-up for bench scripts: Django on the bench's own embedded database, migrated."""

import os
import sys


def django_ready() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HUBS_VAR_DIR", "var/bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("bootstrap", no_static=True, verbosity=0, stdout=open(os.devnull, "w"))

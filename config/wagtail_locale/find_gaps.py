"""List the msgids of Wagtail's English catalogues that the Chinese back office would still show in English.

    .venv/bin/python config/wagtail_locale/find_gaps.py           # the gaps; exit status 1 if there is any
    .venv/bin/python config/wagtail_locale/find_gaps.py --stale   # our entries Wagtail no longer needs us for

A msgid counts as translated when, with zh-hans active, the merged catalogue translates it: for the ``django``
domain Django's gettext/pgettext/ngettext/npgettext (Django, every installed app, LOCALE_PATHS, this directory
included); for ``djangojs`` what Wagtail's JavaScriptCatalog serves (Wagtail's zh_Hans djangojs catalogues, then
LOCALE_PATHS). README.md beside this file says how to fill the gaps.
"""

import os
import sys
from pathlib import Path
from typing import NamedTuple

import polib

BASE_DIR = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LANGUAGE = "zh-hans"
LOCALE = "zh_Hans"
DOMAINS = ("django", "djangojs")


class Gap(NamedTuple):
    domain: str
    msgctxt: str | None
    msgid: str
    msgid_plural: str


def wagtail_root() -> Path:
    import wagtail

    return Path(wagtail.__file__).resolve().parent


def source_catalogues(domain: str) -> list[Path]:
    """Wagtail's English catalogues of one domain: the full list of its msgids."""
    return sorted(wagtail_root().glob(f"**/locale/en/LC_MESSAGES/{domain}.po"))


def source_entries(domain: str) -> list[polib.POEntry]:
    """Every live msgid of Wagtail's English catalogues of one domain, each (context, msgid, plural) once."""
    entries: dict[tuple, polib.POEntry] = {}
    for path in source_catalogues(domain):
        for entry in polib.pofile(str(path)):
            if entry.msgid and not entry.obsolete:
                entries.setdefault((entry.msgctxt, entry.msgid, entry.msgid_plural), entry)
    return list(entries.values())


def catalogue(domain: str) -> Path:
    """Our catalogue of one domain (the .po; the .mo sits beside it)."""
    return HERE / LOCALE / "LC_MESSAGES" / f"{domain}.po"


def javascript_translation():
    """What Wagtail's JavaScriptCatalog serves: its zh_Hans djangojs catalogues, then LOCALE_PATHS on top."""
    from django.utils.translation.trans_real import DjangoTranslation

    localedirs = sorted(
        str(path.parents[2]) for path in wagtail_root().glob(f"**/locale/{LOCALE}/LC_MESSAGES/djangojs.mo")
    )
    return DjangoTranslation(LANGUAGE, domain="djangojs", localedirs=localedirs)


def _catalogue_key(entry: polib.POEntry):
    """The key of an entry in a gettext catalogue (Python's gettext: context\\x04msgid, plurals by index)."""
    key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
    return (key, 0) if entry.msgid_plural else key


def _is_translated(translate, merged, entry: polib.POEntry) -> bool:
    """Translated means the translation differs from the msgid, or (for the few that Wagtail's translators
    keep as they are, such as "URL", "ID" and "Wagtail API v2") that the merged catalogue holds the msgid."""
    if entry.msgid_plural:
        if entry.msgctxt is not None:
            result = translate.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
        else:
            result = translate.ngettext(entry.msgid, entry.msgid_plural, 1)
    elif entry.msgctxt is not None:
        result = translate.pgettext(entry.msgctxt, entry.msgid)
    else:
        result = translate.gettext(entry.msgid)
    return result != entry.msgid or _catalogue_key(entry) in merged


def gaps(domains=DOMAINS) -> list[Gap]:
    """The msgids of Wagtail's en catalogues that stay English with zh-hans active. Django must be set up."""
    from django.utils import translation
    from django.utils.translation import trans_real

    found = []
    for domain in domains:
        if domain == "django":
            translate, merged = translation, trans_real.translation(LANGUAGE)._catalog
        else:
            translate = javascript_translation()
            merged = translate._catalog
        with translation.override(LANGUAGE):
            for entry in source_entries(domain):
                if not _is_translated(translate, merged, entry):
                    found.append(Gap(domain, entry.msgctxt, entry.msgid, entry.msgid_plural))
    return found


def stale() -> list[Gap]:
    """Our entries that are no longer gaps without us: gone from Wagtail's en catalogues, or translated by
    Wagtail, Django or config/locale themselves. Worth pruning after an upgrade, so Wagtail's own wording shows."""
    from django.conf import settings
    from django.test.utils import override_settings

    ours = {domain: polib.pofile(str(catalogue(domain))) for domain in DOMAINS}
    without_us = [path for path in settings.LOCALE_PATHS if Path(path).resolve() != HERE]
    with override_settings(LOCALE_PATHS=without_us):  # also resets Django's cache of translations
        still_needed = set(gaps())
    found = []
    for domain, po in ours.items():
        for entry in po:
            gap = Gap(domain, entry.msgctxt, entry.msgid, entry.msgid_plural)
            if gap not in still_needed:
                found.append(gap)
    return found


def _setup_django() -> None:
    """The settings read only the environment; dummy URLs keep them from starting the embedded PostgreSQL and
    Redis, which translation look-ups never touch."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://unused@localhost:1/unused")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://localhost:1/0")
    import django

    django.setup()


def _show(gap: Gap) -> str:
    context = f" [{gap.msgctxt}]" if gap.msgctxt is not None else ""
    plural = f" | {gap.msgid_plural!r}" if gap.msgid_plural else ""
    return f"{gap.domain}{context}: {gap.msgid!r}{plural}"


def main(argv: list[str]) -> int:
    _setup_django()
    if "--stale" in argv:
        for gap in stale():
            print(_show(gap))
        return 0
    found = gaps()
    for gap in found:
        print(_show(gap))
    print(f"{len(found)} msgid(s) of Wagtail's en catalogues untranslated in {LANGUAGE}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

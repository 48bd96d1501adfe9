"""The back office speaks Chinese throughout: config/wagtail_locale fills the gaps of Wagtail's zh_Hans catalogues
(config/wagtail_locale/README.md). No database: these are translation look-ups only."""

import polib
import pytest
from django.utils import translation

from config.wagtail_locale.find_gaps import DOMAINS, catalogue, gaps, javascript_translation


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_msgid_of_wagtail_translates_in_chinese(domain):
    # After a Wagtail upgrade: `.venv/bin/python config/wagtail_locale/find_gaps.py` lists the new gaps.
    assert gaps([domain]) == []


def _entries(catalogue_file):
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural): (
            {int(index): text for index, text in entry.msgstr_plural.items()} if entry.msgid_plural else entry.msgstr
        )
        for entry in catalogue_file
        if entry.msgid
    }


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_is_complete_and_compiled(domain):
    po = polib.pofile(str(catalogue(domain)))
    assert po.metadata["Language"] == "zh_Hans" and po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    unfinished = [entry.msgid for entry in po if not entry.translated() or entry.obsolete or entry.fuzzy]
    assert unfinished == []
    assert _entries(polib.mofile(str(catalogue(domain).with_suffix(".mo")))) == _entries(po)


def test_wagtail_words_read_as_wagtail_translates_them():
    # Looked up through names makemessages does not know, so these Wagtail msgids stay out of our catalogue.
    look_up, look_up_plural = translation.gettext, translation.ngettext
    with translation.override("zh-hans"):
        assert "新建" in look_up("New: %(model_name)s")
        assert look_up("Pages") == "页面"
        assert look_up("Save your changes before leaving") == "离开前请保存您的更改"
        moved = look_up_plural("Moved down 1 place.", "Moved down %(counter)s places.", 3)
        assert moved % {"counter": 3} == "下移了 3 位。"
    javascript = javascript_translation().gettext
    assert javascript("Split block") == "拆分区块"

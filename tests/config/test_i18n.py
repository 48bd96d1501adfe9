from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.conftest import HUB_A

pytestmark = pytest.mark.django_db
LOCALE = Path(settings.BASE_DIR) / "config" / "locale"
A = {"HTTP_HOST": HUB_A["domain"]}


def test_chinese_is_the_default_whatever_the_browser_says(client):
    page = client.get("/nothing-here/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9", **A)
    assert page.status_code == 404
    assert 'lang="zh-hans"' in page.content.decode() and "页面未找到" in page.content.decode()


def test_english_is_selectable_and_sticks(client):
    chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, **A)
    assert chosen.status_code == 302
    page = client.get("/nothing-here/", **A).content.decode()
    assert 'lang="en"' in page and "Page not found" in page


def test_the_language_switch_names_each_language_in_itself(client):
    page = client.get("/", **A).content.decode()
    assert "简体中文" in page and "English" in page


@pytest.mark.parametrize("language", ["zh_Hans"])
def test_the_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in po if not entry.translated() or entry.obsolete]
    assert untranslated == []
    compiled = {
        entry.msgid: entry.msgstr for entry in polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    }
    assert {entry.msgid: entry.msgstr for entry in po} == {k: v for k, v in compiled.items() if k}

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from player.i18n import CATEGORY_LABELS, LOCALE_DIR, gettext_for, translations

LANGUAGES = ("fr", "en", "es", "de")
TOUCH_DIR = Path(__file__).resolve().parent.parent / "kiosk" / "touch"


def test_compiled_catalogues_match_their_po_files() -> None:
    for lang in LANGUAGES:
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po").open("rb") as f:
            catalog = read_po(f)
        t = translations(lang)
        for message in catalog:
            if message.id:
                assert message.string, f"{lang}: untranslated {message.id!r}"
                assert t.gettext(message.id) == message.string, f"{lang}: kiosk.mo is stale, run msgfmt"


def test_every_category_label_is_in_the_template_and_translated_to_french() -> None:
    with (LOCALE_DIR / "kiosk.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    _ = gettext_for("fr")
    for label in CATEGORY_LABELS.values():
        assert label in template
    assert _("Roadworks") == "Travaux" and _("Alert") == "Alerte"
    assert gettext_for("en")("Roadworks") == "Roadworks"
    assert gettext_for("xx")("Roadworks") == "Roadworks"


def _template() -> set[str]:
    with (LOCALE_DIR / "kiosk.pot").open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_every_touch_kiosk_string_is_in_the_template() -> None:
    used = {msg for _file, _line, msg, _c, _ctx in extract_from_dir(
        TOUCH_DIR, method_map=[("**.py", "python")], keywords={"_": None, "N_": None})}
    assert used, "no strings extracted"
    assert not used - _template(), sorted(used - _template())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_string_is_translated_in_each_language(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po").open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id}
    assert set(catalog) == _template()
    assert all(catalog.values())


def test_spanish_and_german_are_real_translations() -> None:
    assert gettext_for("es")("Still there?") == "¿Sigue ahí?"
    assert gettext_for("de")("Touch the screen to start") == "Zum Starten den Bildschirm berühren"
    assert gettext_for("es")("Roadworks") == "Obras"
    assert gettext_for("de")("Alert") == "Warnung"


def test_placeholders_survive_translation() -> None:
    import re

    for lang in LANGUAGES:
        _ = gettext_for(lang)
        for msgid in _template():
            assert set(re.findall(r"{\w+}", _(msgid))) == set(re.findall(r"{\w+}", msgid)), (lang, msgid)

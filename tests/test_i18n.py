from __future__ import annotations

from babel.messages.pofile import read_po

from player.i18n import CATEGORY_LABELS, LOCALE_DIR, gettext_for, translations


def test_compiled_catalogues_match_their_po_files() -> None:
    for lang in ("fr", "en"):
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

#!/usr/bin/env python3
"""Update the hub's gettext catalogues (hub/locale): extract the messages of the hub's
Python and Jinja templates into hub.pot, merge them into each language's hub.po (keeping
translations), and compile hub.mo. Run after changing a page's text:

    .venv/bin/python scripts/hub_catalogues.py

New or changed messages come out untranslated (or fuzzy); tests/hub/test_hub_i18n.py fails
until French has them all.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "hub"
LOCALE = HUB / "locale"
LANGUAGES = ("fr", "en")
METHODS = [("web/templates/**.html", "jinja2"), ("web/**.py", "python"), ("fleet/**.py", "python"),
           ("editor/**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract() -> Catalog:
    template = Catalog(project="town-kiosk hub", domain="hub")
    for filename, lineno, message, comments, context in extract_from_dir(
            HUB, method_map=METHODS, keywords=KEYWORDS,
            options_map={"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}):
        template.add(message, None, [(f"hub/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def main() -> int:
    template = extract()
    LOCALE.mkdir(exist_ok=True)
    with (LOCALE / "hub.pot").open("wb") as f:
        write_po(f, template, omit_header=False, sort_output=True, width=100)
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / "hub.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        if po.exists():
            with po.open("rb") as f:
                catalog = read_po(f, locale=lang, domain="hub")
        else:
            catalog = Catalog(locale=lang, domain="hub", project="town-kiosk hub")
        catalog.update(template, no_fuzzy_matching=True)
        if lang == "en":  # the message ids are English
            for m in catalog:
                if isinstance(m.id, tuple) and not all(m.string) or m.id and not m.string:
                    m.string = m.id
        with po.open("wb") as f:
            write_po(f, catalog, sort_output=True, width=100, ignore_obsolete=True)
        with (po.with_suffix(".mo")).open("wb") as f:
            write_mo(f, catalog)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{lang}: {len(catalog)} messages, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

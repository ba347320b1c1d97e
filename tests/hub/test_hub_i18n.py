"""The hub's pages in French first, and English: catalogues complete and compiled."""
from __future__ import annotations

import pytest
import requests
from babel.messages.pofile import read_po

from hub.fleet.roles import Role
from hub.web.i18n import LOCALE_DIR, translations
from scripts.hub_catalogues import extract

from .harness import Hub


def test_every_message_of_the_pages_is_in_the_template_and_translated() -> None:
    used = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    with (LOCALE_DIR / "hub.pot").open("rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert used == template, "run scripts/hub_catalogues.py"
    for lang in ("fr", "en"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "hub.po").open("rb") as f:
            catalog = read_po(f, locale=lang)
        for m in catalog:
            if m.id:
                assert m.string and all(m.string), f"{lang}: untranslated {m.id!r}"
                first = m.id if isinstance(m.id, str) else m.id[0]
                got = translations(lang).gettext(first) if isinstance(m.id, str) else translations(lang).ngettext(
                    m.id[0], m.id[1], 1)
                want = m.string if isinstance(m.string, str) else m.string[0]
                assert got == want, f"{lang}: hub.mo is stale, run scripts/hub_catalogues.py"
    assert translations("fr").gettext("Fleet") == "Parc"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_pages_follow_the_browser_then_the_users_choice(hub: Hub) -> None:
    r = requests.get(f"{hub.url}/login", headers={"Accept-Language": "en-GB,en;q=0.9"}, timeout=10)
    assert '<html lang="en">' in r.text and "Sign in" in r.text
    r = requests.get(f"{hub.url}/login", headers={"Accept-Language": "de"}, timeout=10)
    assert '<html lang="fr">' in r.text and "Se connecter" in r.text  # French first
    hub.add_user("dana", Role.VIEWER)
    s = hub.login("dana")
    assert "Parc" in s.get(f"{hub.url}/fleet", timeout=10).text
    from .harness import csrf

    s.post(f"{hub.url}/language", data={"csrf_token": csrf(s, f"{hub.url}/fleet"), "lang": "en", "next": "/fleet"},
           timeout=10)
    assert "Fleet" in s.get(f"{hub.url}/fleet", headers={"Accept-Language": "fr"}, timeout=10).text

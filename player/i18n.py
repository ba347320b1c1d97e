"""gettext catalogues of the on-screen and CLI text (domain ``kiosk``).

Message ids are English; French is the default display language of a town's screens.
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "fr"


@lru_cache(maxsize=16)
def translations(lang: str) -> gettext.NullTranslations:
    """Catalogue for ``lang``; unknown languages fall back to the English message ids."""
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def gettext_for(lang: str):  # noqa: ANN201 - returns the bound gettext function
    return translations(lang).gettext


# Marks a string for extraction without translating it at import time.
def N_(message: str) -> str:
    return message


CATEGORY_LABELS = {
    "info": N_("Information"),
    "event": N_("Event"),
    "works": N_("Roadworks"),
    "alert": N_("Alert"),
    "culture": N_("Culture"),
    "sport": N_("Sport"),
    "transport": N_("Transport"),
    "health": N_("Health"),
}

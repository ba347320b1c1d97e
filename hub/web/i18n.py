"""gettext for the hub's pages (domain ``hub``, catalogues in hub/locale): French first, English.

The language is the signed-in user's choice, else the one chosen on the sign-in page, else
the browser's (Accept-Language), else French. Jinja's i18n extension calls
:func:`gettext` / :func:`ngettext`, which read the request's catalogue (newstyle: the
results are escaped like any other text, and ``%(name)s`` placeholders are filled).
"""
from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

from flask import g, has_request_context, request, session
from flask_login import current_user

DOMAIN = "hub"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("fr", "en")
DEFAULT = "fr"


@lru_cache(maxsize=8)
def translations(lang: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def current_language() -> str:
    if not has_request_context():
        return DEFAULT
    lang = g.get("lang")
    if lang:
        return str(lang)
    chosen = getattr(current_user, "language", None) if current_user and current_user.is_authenticated else None
    chosen = chosen or session.get("lang") or request.accept_languages.best_match(LANGUAGES) or DEFAULT
    g.lang = chosen if chosen in LANGUAGES else DEFAULT
    return str(g.lang)


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


# Marks a string for extraction; translated where it is shown.
def N_(message: str) -> str:
    return message


def raw_gettext(message: str) -> str:
    """For Jinja's newstyle i18n, which fills the placeholders itself (escaping them)."""
    return translations(current_language()).gettext(message)


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)

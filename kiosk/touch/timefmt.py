"""Dates and times in the visitor's language (Babel's CLDR data).

English dates follow British conventions ("Thursday 26 November"); English times use the
12-hour clock ("7:00 PM", CLDR's en_US pattern, with its narrow no-break space) that
English-speaking visitors read. French, Spanish and German keep the 24-hour clock.
"""
from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time

LOCALES = {"fr": "fr_FR", "en": "en_GB", "es": "es_ES", "de": "de_DE"}
# CLDR's "MMMMEEEEd" skeleton abbreviates the weekday in fr/es/de; headings want it whole.
_HEADING = {"fr": "EEEE d MMMM", "en": "EEEE d MMMM", "es": "EEEE, d 'de' MMMM", "de": "EEEE, d. MMMM"}
# Times of day where the clock differs from the date conventions above.
_CLOCK_LOCALES = {"en": "en_US"}


@lru_cache(maxsize=32)
def locale_for(lang: str) -> Locale:
    """The CLDR locale used to format ``lang``; unknown languages use French."""
    try:
        return Locale.parse(LOCALES.get(lang, lang))
    except (ValueError, TypeError):
        return Locale.parse(LOCALES["fr"])


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def time_of_day(t: time, lang: str) -> str:
    """``19:00`` / ``7:00 PM`` / ``19:00`` / ``19:00``: a wall-clock time in ``lang``."""
    return format_time(t, "short", locale=locale_for(_CLOCK_LOCALES.get(lang, lang)))


def clock(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """Local wall-clock time of an aware datetime (see :func:`time_of_day`)."""
    return time_of_day(moment.astimezone(tz).time(), lang)


def minutes_clock(minutes: int, lang: str) -> str:
    """A wall-clock time given in minutes after midnight; 1440 (24:00) shows as midnight
    (``00:00``, ``12:00 AM``)."""
    m = minutes % (24 * 60)
    return time_of_day(time(m // 60, m % 60), lang)


def weekday(day: date, lang: str) -> str:
    """``lundi`` / ``Monday`` / ``lunes`` / ``Montag`` (as used inside a sentence)."""
    return format_date(day, "EEEE", locale=locale_for(lang))


def day_heading(day: date, lang: str) -> str:
    """``Jeudi 26 novembre`` / ``Thursday 26 November`` / ``Jueves, 26 de noviembre``."""
    pattern = _HEADING.get(lang)
    if pattern is None:
        return capitalise(format_skeleton("MMMMEEEEd", day, locale=locale_for(lang)))
    return capitalise(format_date(day, pattern, locale=locale_for(lang)))


def day_month(day: date, lang: str) -> str:
    """``26 novembre`` / ``26 November`` / ``26 de noviembre`` / ``26. November``."""
    return format_skeleton("MMMMd", day, locale=locale_for(lang))


def full_date(day: date, lang: str) -> str:
    """``26 novembre 2026`` / ``26 November 2026``."""
    return format_date(day, "long", locale=locale_for(lang))


def time_range(start: datetime, end: datetime | None, tz: ZoneInfo, lang: str) -> str:
    """``19:00–21:00`` or ``19:00`` when the end is unknown."""
    if end is None:
        return clock(start, tz, lang)
    return f"{clock(start, tz, lang)}–{clock(end, tz, lang)}"

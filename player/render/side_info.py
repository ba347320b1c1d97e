"""What the side zone shows, as plain values: the time and date, the next agenda events,
the current alerts and today's forecast. Pure Python (no Kivy), ``now`` passed in.

The agenda is the content's ``events`` kiosk section; the forecast its ``forecast``
section, written by a weather content source (absent: no forecast panel).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time

from content_cache import DEFAULT_TIMEZONE, BulletinData, LocalText

LOCALES = {"fr": "fr_FR", "en": "en_GB", "es": "es_ES", "de": "de_DE"}
CLOCK_LOCALES = {"en": "en_US"}  # English visitors read a 12-hour clock


@lru_cache(maxsize=16)
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(LOCALES.get(lang, lang))
    except (ValueError, TypeError):
        return Locale.parse("fr_FR")


@dataclass(frozen=True)
class EventLine:
    """One agenda event: when (``"Sam. 12 déc. · 20:30"`` or ``"Jusqu'au 21 déc."``), what, where."""

    id: str
    when: str
    title: str
    place: str
    start: datetime


@dataclass(frozen=True)
class Forecast:
    summary: str
    low: float | None
    high: float | None

    def temperatures(self) -> str:
        if self.low is None and self.high is None:
            return ""
        if self.low is None or self.high is None:
            return f"{round(self.high if self.low is None else self.low)}°"  # type: ignore[arg-type]
        return f"{round(self.low)}° / {round(self.high)}°"


@dataclass(frozen=True)
class AlertLine:
    id: str
    severity: str
    title: str


def clock_text(now: datetime, lang: str) -> tuple[str, str]:
    """(``"14:05"``, ``"Lundi 7 décembre"``) for the zone's clock, in ``lang``."""
    loc = _locale(lang)
    hm = format_time(now.time(), "short", locale=_locale(CLOCK_LOCALES.get(lang, lang)))
    day = format_date(now.date(), "EEEE d MMMM", locale=loc)
    return hm, day[:1].upper() + day[1:]


def _when(doc_start: datetime, doc_end: datetime | None, all_day: bool, now: datetime, lang: str,
          ) -> str:
    from player.i18n import gettext_for

    _ = gettext_for(lang)
    loc = _locale(lang)
    if doc_start <= now and doc_end is not None:  # running now: until when
        until = format_skeleton("MMMd", doc_end - timedelta(seconds=1), locale=loc)
        return _("Until {date}").format(date=until)
    day = doc_start.date()
    if day == now.date():
        label = _("Today")
    elif day == now.date() + timedelta(days=1):
        label = _("Tomorrow")
    else:
        label = format_skeleton("MMMEd", doc_start, locale=loc)
        label = label[:1].upper() + label[1:]
    if all_day:
        return label
    hm = format_time(doc_start.time(), "short", locale=_locale(CLOCK_LOCALES.get(lang, lang)))
    return f"{label} · {hm}"


def _parse(value: object, tz: ZoneInfo) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(tz)
    except ValueError:
        return None


def next_events(events: Sequence[Mapping[str, object]], now: datetime, lang: str, count: int = 3,
                ) -> tuple[EventLine, ...]:
    """The ``count`` events not over at ``now`` (tz-aware, in the site's zone), soonest
    first; an event without an end lasts until the end of its day."""
    tz = now.tzinfo if isinstance(now.tzinfo, ZoneInfo) else ZoneInfo(DEFAULT_TIMEZONE)
    out: list[EventLine] = []
    for doc in events:
        start = _parse(doc.get("start"), tz)
        if start is None:
            continue
        end = _parse(doc.get("end"), tz)
        if end is None:
            end = datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=tz)
        if end <= now:
            continue
        title = LocalText.from_mapping(doc.get("title")).get(lang)  # type: ignore[arg-type]
        if not title:
            continue
        place = LocalText.from_mapping(doc.get("place")).get(lang) if doc.get("place") else ""  # type: ignore[arg-type]
        out.append(EventLine(str(doc.get("id", "")), _when(start, end, bool(doc.get("all_day")), now, lang),
                             title, place, start))
    out.sort(key=lambda e: (e.start, e.id))
    return tuple(out[:count])


def todays_forecast(docs: Sequence[Mapping[str, object]], today: date, lang: str) -> Forecast | None:
    """The forecast for ``today``, if the weather source wrote one."""
    for doc in docs:
        if doc.get("date") == today.isoformat():
            summary = LocalText.from_mapping(doc.get("summary")).get(lang)  # type: ignore[arg-type]
            low, high = doc.get("low"), doc.get("high")
            return Forecast(summary, float(low) if isinstance(low, int | float) else None,
                            float(high) if isinstance(high, int | float) else None)
    return None


def alert_lines(alerts: Iterable[BulletinData], lang: str) -> tuple[AlertLine, ...]:
    return tuple(AlertLine(b.id, b.severity, b.title.get(lang)) for b in alerts)

"""Structured opening hours and "is it open now?", in the site's time zone.

Pure Python. Slots are local wall-clock times; all comparisons happen in UTC because
Python compares two datetimes sharing one ``tzinfo`` by wall time, which is wrong in the
repeated hour of the autumn DST change.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from content_cache import LocalText

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# How far ahead "opens …" looks; beyond it a service is "closed until further notice".
HORIZON_DAYS = 21
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """Malformed hours; the message names the field (``hours.weekly.mon[0]: …``)."""


@dataclass(frozen=True)
class Slot:
    """Local opening from ``start`` to ``end`` minutes after midnight.

    ``end <= start`` runs past midnight into the next day; ``end == 1440`` is 24:00.
    """

    start: int
    end: int

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class ClosedDay:
    """A dated closure (public holiday, exceptional closure) with its reason."""

    day: date
    label: LocalText
    holiday: bool


@dataclass(frozen=True)
class DayException:
    """Replacement hours for one date: ``slots`` empty means closed that day."""

    day: date
    slots: tuple[Slot, ...]
    label: LocalText


@dataclass(frozen=True)
class OpeningHours:
    weekly: tuple[tuple[Slot, ...], ...]  # 7 entries, Monday first
    exceptions: tuple[DayException, ...] = ()
    holidays: tuple[ClosedDay, ...] = ()  # site public holidays the service closes on

    def slots_on(self, day: date) -> tuple[Slot, ...]:
        return _day_plan(self, day)[0]

    def note_on(self, day: date) -> ClosedDay | None:
        """The exception or public holiday that sets ``day``'s hours, if any."""
        return _day_plan(self, day)[1]

    def closure_on(self, day: date) -> ClosedDay | None:
        """Why ``day`` is closed when an exception or a public holiday closes it."""
        slots, closure = _day_plan(self, day)
        return closure if not slots else None


@dataclass(frozen=True)
class OpenStatus:
    """The answer to "is it open?" at one instant (all datetimes in UTC)."""

    state: Literal["open", "closed", "unknown"]
    closes_at: datetime | None = None  # when open: end of the current opening
    opens_at: datetime | None = None  # when closed: the next opening within the horizon
    closed_today: ClosedDay | None = None  # today is closed by an exception or a holiday


UNKNOWN = OpenStatus("unknown")


def parse_clock(value: object, where: str) -> int:
    """``"08:30"`` → 510; ``"24:00"`` → 1440; anything else raises HoursError."""
    m = _HHMM.match(value) if isinstance(value, str) else None
    if not m:
        raise HoursError(f"{where}: {value!r} is not a time (HH:MM)")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and mi != 0):
        raise HoursError(f"{where}: {value!r} is not a time of day")
    return h * 60 + mi


def _parse_slots(raw: object, where: str) -> tuple[Slot, ...]:
    if not isinstance(raw, list):
        raise HoursError(f"{where}: expected a list of [\"HH:MM\", \"HH:MM\"] slots")
    slots = []
    for i, pair in enumerate(raw):
        if not isinstance(pair, list) or len(pair) != 2:
            raise HoursError(f"{where}[{i}]: expected [\"HH:MM\", \"HH:MM\"]")
        start, end = parse_clock(pair[0], f"{where}[{i}]"), parse_clock(pair[1], f"{where}[{i}]")
        if start in (end, MINUTES_PER_DAY):
            raise HoursError(f"{where}[{i}]: {pair[0]}–{pair[1]} is an empty slot")
        slots.append(Slot(start, end))
    ordered = sorted(slots, key=lambda s: s.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.overnight or a.end > b.start:
            raise HoursError(f"{where}: slots overlap ({_fmt(a)} and {_fmt(b)})")
    return tuple(ordered)


def _fmt(s: Slot) -> str:
    return f"{s.start // 60:02d}:{s.start % 60:02d}–{s.end // 60:02d}:{s.end % 60:02d}"


def parse_hours(
    raw: Mapping[str, object], where: str = "hours", holidays: Iterable[ClosedDay] = ()
) -> OpeningHours:
    """The manifest's ``hours`` object → :class:`OpeningHours`; raises HoursError.

    ``holidays`` are the site's public holidays; a service closes on them unless its
    hours say ``public_holidays = "open"``.
    """
    if not isinstance(raw, Mapping):
        raise HoursError(f"{where}: expected an object with weekly and exceptions")
    weekly_raw = raw.get("weekly") or {}
    if not isinstance(weekly_raw, Mapping):
        raise HoursError(f"{where}.weekly: expected an object mon … sun")
    for key in weekly_raw:
        if key not in WEEKDAYS:
            raise HoursError(f"{where}.weekly.{key}: not a weekday (mon … sun)")
    weekly = tuple(_parse_slots(weekly_raw.get(d, []), f"{where}.weekly.{d}") for d in WEEKDAYS)
    exceptions = []
    raw_exceptions: Any = raw.get("exceptions") or []  # each one checked below
    for i, ex in enumerate(raw_exceptions):
        w = f"{where}.exceptions[{i}]"
        try:
            day = date.fromisoformat(str(ex["date"]))
        except (KeyError, TypeError, ValueError):
            raise HoursError(f"{w}.date: {ex.get('date') if isinstance(ex, Mapping) else ex!r} is not a date") from None
        slots = () if ex.get("closed") else _parse_slots(ex.get("slots", []), f"{w}.slots")
        exceptions.append(DayException(day, slots, LocalText.from_mapping(ex.get("label"))))
    closes_on_holidays = raw.get("public_holidays", "closed") != "open"
    return OpeningHours(
        weekly, tuple(sorted(exceptions, key=lambda e: e.day)),
        tuple(holidays) if closes_on_holidays else (),
    )


def _day_plan(hours: OpeningHours, day: date) -> tuple[tuple[Slot, ...], ClosedDay | None]:
    for ex in hours.exceptions:
        if ex.day == day:
            return ex.slots, ClosedDay(day, ex.label, holiday=False)
    for h in hours.holidays:
        if h.day == day:
            return (), h
    return hours.weekly[day.weekday()], None


def _local(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """Local wall-clock time → UTC. A time skipped by the spring change lands after it."""
    day = day + timedelta(days=minutes // MINUTES_PER_DAY)
    m = minutes % MINUTES_PER_DAY
    naive = datetime.combine(day, time(m // 60, m % 60))
    return naive.replace(tzinfo=tz).astimezone(UTC)


def intervals(hours: OpeningHours, first: date, last: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Openings starting on ``first`` … ``last`` as merged UTC intervals, in order."""
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for s in hours.slots_on(day):
            end_minute = s.end + (MINUTES_PER_DAY if s.overnight else 0)
            out.append((_local(day, s.start, tz), _local(day, end_minute, tz)))
        day += timedelta(days=1)
    out.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in out:
        # 22:00–24:00 then 00:00–06:00 the next day is one opening, closing at 06:00.
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def open_status(hours: OpeningHours | None, now: datetime, tz: ZoneInfo) -> OpenStatus:
    """Open or closed at ``now`` (tz-aware), until when, and the next opening."""
    if hours is None:
        return UNKNOWN
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now_utc = now.astimezone(UTC)
    today = now.astimezone(tz).date()
    closed_today = hours.closure_on(today)
    spans = intervals(hours, today - timedelta(days=1), today + timedelta(days=HORIZON_DAYS), tz)
    for start, end in spans:
        if start <= now_utc < end:
            # A span reaching the horizon's end is "open" without a known closing time.
            horizon_end = _local(today + timedelta(days=HORIZON_DAYS), 0, tz)
            return OpenStatus("open", closes_at=None if end >= horizon_end else end)
        if start > now_utc:
            return OpenStatus("closed", opens_at=start, closed_today=closed_today)
    return OpenStatus("closed", closed_today=closed_today)

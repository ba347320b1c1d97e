"""Agenda by day ("today", "this weekend") and this week's menus. Pure Python.

Days are local dates in the site's time zone; an event without an end is listed until the
end of the day it starts on.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .documents import Event, Menu, MenuDay

AGENDA_DAYS = 60  # how far ahead the agenda lists events


@dataclass(frozen=True)
class DayGroup:
    day: date
    events: tuple[Event, ...]


def event_end(event: Event, tz: ZoneInfo) -> datetime:
    if event.end is not None:
        return event.end
    start_day = event.start.astimezone(tz).date()
    return datetime.combine(start_day + timedelta(days=1), time(0), tzinfo=tz)


def event_days(event: Event, tz: ZoneInfo) -> tuple[date, date]:
    """First and last local day an event covers (an end at midnight does not count)."""
    first = event.start.astimezone(tz).date()
    end = event_end(event, tz).astimezone(tz)
    last = end.date() - timedelta(days=1) if end.time() == time(0) else end.date()
    return first, max(first, last)


def weekend(today: date) -> tuple[date, date]:
    """This weekend's Saturday and Sunday: the coming one, or the one we are in."""
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        saturday = today - timedelta(days=1)
    return saturday, saturday + timedelta(days=1)


def upcoming(events: Iterable[Event], now: datetime, tz: ZoneInfo, days: int = AGENDA_DAYS) -> list[Event]:
    """Events not over at ``now`` and starting within ``days``, by start."""
    limit = now + timedelta(days=days)
    return sorted(
        (e for e in events if event_end(e, tz) > now and e.start < limit),
        key=lambda e: (e.start, e.id),
    )


def group_by_day(events: Iterable[Event], now: datetime, tz: ZoneInfo,
                 only: tuple[date, date] | None = None) -> tuple[DayGroup, ...]:
    """Upcoming events under the day they are next on (ongoing ones under today).

    ``only`` keeps the events covering some day in that inclusive range, listed under
    the first such day ("this weekend" lists Friday-to-Sunday fairs under Saturday).
    """
    today = now.astimezone(tz).date()
    groups: dict[date, list[Event]] = {}
    for e in upcoming(events, now, tz):
        first, last = event_days(e, tz)
        day = max(first, today)
        if only is not None:
            if last < only[0] or first > only[1]:
                continue
            day = max(day, only[0])
        groups.setdefault(day, []).append(e)
    return tuple(DayGroup(d, tuple(groups[d])) for d in sorted(groups))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_menu(menu: Menu, today: date) -> tuple[date, tuple[MenuDay, ...]]:
    """The week to show and its days: this week, or next week once this one is over.

    At the weekend (or when this week has no menu left) next week's menu is more useful
    to a parent than the past days of this one.
    """
    this_monday = monday_of(today)
    next_monday = this_monday + timedelta(days=7)
    this_week = tuple(d for d in menu.days if this_monday <= d.day < next_monday)
    next_week = tuple(d for d in menu.days if next_monday <= d.day < next_monday + timedelta(days=7))
    if next_week and not any(d.day >= today for d in this_week):
        return next_monday, next_week
    return this_monday, this_week

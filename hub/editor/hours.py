"""Opening hours in the editor: OpenStreetMap syntax or a week grid, and "open now?".

An expression is checked by the content sources' own evaluation (:func:`hub.sources.hours.expand`,
what the publisher runs), so the form refuses what publishing would refuse. A week grid
is written as the manifest's structured ``hours`` (its dated exceptions, written by hand,
stay). The "open now" answer comes from opening-hours-py on the expression (a grid is said
as one: ``Mo 08:30-12:00,13:30-17:30; …; PH off``), at ``now`` in the site's zone.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .convert import format_slots
from .kinds import WEEKDAYS
from .text import N_, Message

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@dataclass(frozen=True)
class HoursStatus:
    ok: bool
    message: Message  # "Open now · closes at 12:00", or what is wrong
    open_now: bool | None = None


def grid_expression(weekly: Mapping[str, list[list[str]]], holidays_closed: bool) -> str:
    """A week grid as OpenStreetMap syntax (an empty grid: ``off``)."""
    rules = [f"{OSM_DAYS[i]} {','.join(f'{a}-{b}' for a, b in weekly[d])}"
             for i, d in enumerate(WEEKDAYS) if weekly.get(d)]
    if holidays_closed and rules:
        rules.append("PH off")
    return "; ".join(rules) or "off"


def grid_of(hours: Any) -> tuple[dict[str, str], bool]:
    """The grid a form shows for structured ``hours`` (text per weekday, closed on holidays)."""
    weekly = hours.get("weekly") if isinstance(hours, Mapping) else None
    grid = {d: format_slots((weekly or {}).get(d)) for d in WEEKDAYS}
    closed = not (isinstance(hours, Mapping) and hours.get("public_holidays") == "open")
    return grid, closed


def check_expression(expression: str, tz: ZoneInfo, now: datetime) -> Message | None:
    """What publishing would refuse in ``expression`` (None: it is fine)."""
    from hub.sources.hours import OpeningHoursError, expand

    try:
        expand(expression, tz=tz, today=now.astimezone(tz).date())
    except OpeningHoursError as e:
        return Message(N_("%(problem)s"), {"problem": str(e)})
    return None


def status(expression: str, tz: ZoneInfo, now: datetime) -> HoursStatus:
    """Open now or not at ``now``, and until when, for an OpenStreetMap expression."""
    import opening_hours as oh

    problem = check_expression(expression, tz, now)
    if problem is not None:
        return HoursStatus(False, problem)
    hours = oh.OpeningHours(expression.strip(), timezone=tz, country="FR")
    local = now.astimezone(tz)
    is_open = hours.is_open(local)
    change = hours.next_change(local)
    if change is None:
        text = N_("Open now, with no end") if is_open else N_("Closed now, with no opening ahead")
        return HoursStatus(True, Message(text), is_open)
    change = change.astimezone(tz)
    when = change.strftime("%H:%M")
    days = (change.date() - local.date()).days
    if days == 0:
        text = N_("Open now · closes at %(time)s") if is_open else N_("Closed now · opens at %(time)s")
        return HoursStatus(True, Message(text, {"time": when}), is_open)
    if days == 1:
        text = N_("Open now · closes tomorrow at %(time)s") if is_open else N_("Closed now · opens tomorrow at %(time)s")
        return HoursStatus(True, Message(text, {"time": when}), is_open)
    text = N_("Open now · closes on %(date)s at %(time)s") if is_open else N_("Closed now · opens on %(date)s at %(time)s")
    return HoursStatus(True, Message(text, {"time": when, "date": change.strftime("%d/%m")}), is_open)

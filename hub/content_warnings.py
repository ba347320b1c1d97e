"""Silent traps in valid content, said at publish time as warnings (never errors).

- a bulletin in no playlist: no loop shows it (alerts excepted: they show by themselves);
- an alert (a critical bulletin, or one with an ``alert`` mode) without ``valid_until``:
  it stays over every screen until a new publication withdraws it;
- an item or bulletin whose window is over, or an item none of whose weekdays (less its
  skipped dates) falls inside its validity window: it will never play.

:func:`content_warnings` takes the manifest document and ``now`` and returns values
(:class:`hub.source_notes.SourceNote`, severity ``warning``) that the CLI prints and an
editor can show beside the field.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from content_cache import DEFAULT_TIMEZONE

from .source_notes import WARNING, Locator, SourceNote

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# a window this long or longer holds every weekday: no need to look at its days
_WEEK = timedelta(days=7)


def instant(value: Any) -> datetime | None:
    """A manifest date-time (ISO text with an offset) as an aware datetime; None otherwise."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def is_alert(b: Mapping[str, Any]) -> bool:
    """A bulletin shown as an alert: critical, or with an alert mode."""
    return b.get("severity") == "critical" or b.get("alert") is not None


def content_warnings(doc: Mapping[str, Any], locate: Locator, now: datetime) -> list[SourceNote]:
    """The traps of ``doc`` (a manifest document) at ``now``, each located in the source."""
    out: list[SourceNote] = []

    def warn(path: str, message: str) -> None:
        out.append(locate.note(f"{path}: {message}", WARNING))

    try:
        zone = ZoneInfo(str(doc.get("site", {}).get("timezone", DEFAULT_TIMEZONE)))
    except Exception:
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    named = {item.get("bulletin") for p in doc.get("playlists", ()) if isinstance(p, Mapping)
             for item in p.get("items", ()) if isinstance(item, Mapping)}
    for j, b in enumerate(doc.get("bulletins", ())):
        if not isinstance(b, Mapping):
            continue
        end = instant(b.get("valid_until"))
        if is_alert(b) and b.get("valid_until") is None:
            warn(f"bulletins[{j}].valid_until", "missing: an alert without an end stays over every screen until "
                                                "a new publication withdraws it; give it its end")
        elif end is not None and end <= now:
            warn(f"bulletins[{j}].valid_until", f"{b['valid_until']} is past: no screen shows this bulletin any more")
        elif not is_alert(b) and b.get("id") not in named:
            warn(f"bulletins[{j}]", "in no playlist: no loop shows it (only a screen's ticker strip, if it has one)")
    for p_i, p in enumerate(doc.get("playlists", ())):
        if not isinstance(p, Mapping):
            continue
        for i_i, item in enumerate(p.get("items", ())):
            if isinstance(item, Mapping):
                for path, message in _never_plays(item, now, zone):
                    warn(f"playlists[{p_i}].items[{i_i}]{path}", message)
    return out


def _never_plays(item: Mapping[str, Any], now: datetime, zone: ZoneInfo) -> list[tuple[str, str]]:
    """(field path, why) when the item cannot play at or after ``now``."""
    start, end = instant(item.get("valid_from")), instant(item.get("valid_until"))
    if end is not None and end <= now:
        return [(".valid_until", f"{item['valid_until']} is past: this item will not play again")]
    weekdays = item.get("weekdays")
    if weekdays is None:
        return []
    if not weekdays or end is None:  # an empty list is the schema's to refuse
        return []
    first = max(start, now) if start is not None else now
    if end - first >= _WEEK:
        return []
    skipped = set(item.get("skip_dates") or ())
    day = first.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    while day <= last:
        if WEEKDAYS[day.weekday()] in weekdays and day.isoformat() not in skipped:
            return []
        day += timedelta(days=1)
    days = ", ".join(weekdays)
    return [(".weekdays", f"none of {days} falls between {_local(first, zone)} and {_local(end, zone)} "
                          f"(valid_from, valid_until{', skip_dates' if skipped else ''}): this item never plays")]


def _local(when: datetime, zone: ZoneInfo) -> str:
    return f"{when.astimezone(zone):%Y-%m-%dT%H:%M} ({zone.key})"

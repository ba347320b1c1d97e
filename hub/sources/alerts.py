"""What the alert kinds (``cap``, ``meteofrance-vigilance``, ``vigicrues``) share: turning
a warning into an alert bulletin that always has an end.

Orange becomes a ``warning`` shown as a banner over the loop, red a ``critical`` full-screen
alert (docs/content-api.md, "Alerts"). A bulletin exists only while the source lists the
warning: when the source withdraws it, the next publish has no such bulletin and devices
drop it; if the publisher stops, each alert still ends by itself at its ``valid_until``.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .base import JSON, iso_utc

LEVELS = {"yellow": 2, "orange": 3, "red": 4}
LEVEL_NAMES = {2: ("jaune", "yellow"), 3: ("orange", "orange"), 4: ("rouge", "red")}


def bulletin(bid: str, level: int, title: dict[str, str], body: dict[str, str],
             start: datetime, end: datetime) -> JSON:
    """An alert bulletin for a warning of ``level`` (2 yellow, 3 orange, 4 red)."""
    if end <= start:
        end = start + timedelta(hours=1)
    out: JSON = {"id": bid, "category": "alert", "title": title, "valid_from": iso_utc(start),
                 "valid_until": iso_utc(end)}
    if level >= 4:
        out["severity"] = "critical"
        out["alert"] = "fullscreen"
    elif level == 3:
        out["severity"] = "warning"
        out["alert"] = "banner"
    else:
        out["severity"] = "info"  # yellow, when asked for: a ticker line
    if body:
        out["body"] = body
    return out


def bucket(now: datetime, hours: int = 12) -> datetime:
    """``now`` rounded down to a multiple of ``hours`` (UTC): windows derived from it stay
    the same for that long, so an unchanged warning does not make a new version per run."""
    t = now.astimezone(UTC)
    return t.replace(hour=t.hour - t.hour % hours, minute=0, second=0, microsecond=0)


def parse_instant(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)

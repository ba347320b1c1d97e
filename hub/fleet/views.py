"""What the fleet pages show, as frozen values computed from the database and ``now``.

The templates only display these; every decision (online or offline, behind the published
version or not, which day a play belongs to) is made here, with ``now`` passed in.
"""
from __future__ import annotations

import json
import threading
from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.alert_screens import base_version
from hub.db.models import Device, DeviceLog, Play, Screenshot

from .devices import has_token, note_offline, offline_after


@dataclass(frozen=True)
class Published:
    version: str | None
    published_at: str | None


class PublishedVersion:
    """The published manifest's version, read again only when the file changes."""

    def __init__(self, published_dir: Path) -> None:
        self.path = published_dir / "v1" / "manifest.json"
        self._key: tuple[int, int] | None = None
        self._value = Published(None, None)
        self._lock = threading.Lock()

    def get(self) -> Published:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return Published(None, None)
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if key != self._key:
                try:
                    doc = json.loads(self.path.read_bytes())
                    self._value = Published(str(doc.get("version")), str(doc.get("published_at")))
                except (OSError, ValueError, AttributeError):
                    self._value = Published(None, None)
                self._key = key
            return self._value


@dataclass(frozen=True)
class FleetRow:
    id: str
    place: str
    state: str  # "online" | "offline" | "never" (enrolled, never seen)
    last_seen_at: datetime | None
    live_version: str | None
    version_state: str  # "current" | "behind" | "unknown"
    showing: str | None
    showing_kind: str | None
    why: str | None
    alerts: tuple[str, ...]
    screen: str  # "on" | "off" | "unknown"
    player_running: bool | None
    disk_free_bytes: int | None
    disk_free_pct: float | None
    screenshot_id: int | None
    screenshot_at: datetime | None
    screenshot_pending: bool
    errors: tuple[str, ...]
    software: str | None
    mode: str | None
    orientation: int | None
    uptime_s: int | None
    reported_at: datetime | None
    offline_after_s: float


@dataclass(frozen=True)
class FleetSummary:
    total: int
    online: int
    offline: int
    behind: int
    published: Published


def _row(d: Device, published: Published, now: datetime, polls: int, default_poll_s: float,
         shot: tuple[int, datetime] | None) -> FleetRow:
    limit = offline_after(d, polls, default_poll_s)
    state = ("never" if d.last_seen_at is None
             else "offline" if now - d.last_seen_at > limit else "online")
    if d.live_version is None or published.version is None:
        version_state = "unknown"
    else:
        version_state = "current" if base_version(d.live_version) == published.version else "behind"
    pct = None
    if d.disk_free_bytes is not None and d.disk_total_bytes:
        pct = round(100.0 * d.disk_free_bytes / d.disk_total_bytes, 1)
    return FleetRow(
        id=d.id, place=d.place, state=state, last_seen_at=d.last_seen_at, live_version=d.live_version,
        version_state=version_state, showing=d.showing, showing_kind=d.showing_kind, why=d.why,
        alerts=tuple(d.alerts or ()), screen="unknown" if d.screen_on is None else ("on" if d.screen_on else "off"),
        player_running=d.player_running, disk_free_bytes=d.disk_free_bytes, disk_free_pct=pct,
        screenshot_id=shot[0] if shot else None, screenshot_at=shot[1] if shot else None,
        screenshot_pending=d.screenshot_requested_at is not None, errors=tuple(d.errors or ()),
        software=d.software, mode=d.mode, orientation=d.orientation, uptime_s=d.uptime_s,
        reported_at=d.reported_at, offline_after_s=limit.total_seconds(),
    )


def _latest_shots(s: Session, ids: Iterable[str] | None = None) -> dict[str, tuple[int, datetime]]:
    newest = select(Screenshot.device_id, func.max(Screenshot.taken_at).label("t")).group_by(Screenshot.device_id)
    if ids is not None:
        newest = newest.where(Screenshot.device_id.in_(list(ids)))
    sub = newest.subquery()
    rows = s.execute(select(Screenshot.device_id, Screenshot.id, Screenshot.taken_at)
                     .join(sub, (sub.c.device_id == Screenshot.device_id) & (sub.c.t == Screenshot.taken_at)))
    return {dev: (sid, at) for dev, sid, at in rows}


def fleet(s: Session, published: Published, now: datetime, polls: int, default_poll_s: float
          ) -> tuple[list[FleetRow], FleetSummary]:
    """Every device, offline ones first, then by place and id; notes new offline spells."""
    devices = list(s.scalars(select(Device).order_by(Device.place, Device.id)))
    note_offline(s, devices, now, polls, default_poll_s)
    shots = _latest_shots(s)
    rows = [_row(d, published, now, polls, default_poll_s, shots.get(d.id)) for d in devices]
    rows.sort(key=lambda r: (r.state != "offline", r.place.lower(), r.id))
    summary = FleetSummary(
        total=len(rows), online=sum(r.state == "online" for r in rows),
        offline=sum(r.state == "offline" for r in rows), behind=sum(r.version_state == "behind" for r in rows),
        published=published,
    )
    return rows, summary


@dataclass(frozen=True)
class ShotInfo:
    id: int
    taken_at: datetime
    reason: str
    width: int
    height: int
    dark: bool


@dataclass(frozen=True)
class DayPlays:
    day: date
    plays: int
    seconds: float


@dataclass(frozen=True)
class LogLine:
    at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class DevicePage:
    row: FleetRow
    hostname: str | None
    has_token: bool
    screenshots: tuple[ShotInfo, ...]
    days: tuple[DayPlays, ...]
    top_items: tuple[tuple[str, int], ...]
    log: tuple[LogLine, ...]
    details: dict


def plays_by_day(plays: Iterable[tuple[datetime, float]], tz: ZoneInfo, today: date, days: int
                 ) -> tuple[DayPlays, ...]:
    """Plays per local day (the site's days, DST included), newest first, empty days kept."""
    counts: Tally[date] = Tally()
    seconds: dict[date, float] = {}
    for start, duration in plays:
        day = start.astimezone(tz).date()
        counts[day] += 1
        seconds[day] = seconds.get(day, 0.0) + duration
    return tuple(DayPlays(d, counts[d], round(seconds.get(d, 0.0), 1))
                 for d in (today - timedelta(days=i) for i in range(days)))


def device_page(s: Session, device_id: str, published: Published, now: datetime, polls: int,
                default_poll_s: float, tz: ZoneInfo, days: int = 7) -> DevicePage | None:
    d = s.get(Device, device_id)
    if d is None:
        return None
    note_offline(s, [d], now, polls, default_poll_s)
    shots = s.execute(select(Screenshot.id, Screenshot.taken_at, Screenshot.reason, Screenshot.width,
                             Screenshot.height, Screenshot.mean_luma)
                      .where(Screenshot.device_id == device_id)
                      .order_by(Screenshot.taken_at.desc(), Screenshot.id.desc()).limit(48)).all()
    latest = (shots[0][0], shots[0][1]) if shots else None
    today = now.astimezone(tz).date()
    first_day = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tz)
    plays = s.execute(select(Play.start, Play.duration_s, Play.item)
                      .where(Play.device_id == device_id, Play.start >= first_day)).all()
    top = Tally(item for _s, _d, item in plays).most_common(10)
    log_rows = s.execute(select(DeviceLog.at, DeviceLog.kind, DeviceLog.text).where(DeviceLog.device_id == device_id)
                         .order_by(DeviceLog.at.desc(), DeviceLog.id.desc()).limit(50)).all()
    return DevicePage(
        row=_row(d, published, now, polls, default_poll_s, latest),
        hostname=d.hostname, has_token=has_token(s, device_id),
        screenshots=tuple(ShotInfo(i, t, r, w, h, luma < 8) for i, t, r, w, h, luma in shots),
        days=plays_by_day(((st, du) for st, du, _i in plays), tz, today, days),
        top_items=tuple(top),
        log=tuple(LogLine(a, k, t) for a, k, t in log_rows),
        details=dict(d.details or {}),
    )

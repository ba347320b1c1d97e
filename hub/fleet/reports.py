"""What devices upload: heartbeats, proof of play and screenshots (``POST …/events``).

A batch is ``{"events": [{"key", "kind", "created_at", "payload"}, …]}`` as the device's
outbox sends it (sync/uploads.py). Each record is taken or refused on its own; a record
already taken (same device and key) is a duplicate, so a batch sent twice counts once.
Nothing a device sends is used as a path: screenshots are decoded and kept in the database.
"""
from __future__ import annotations

import base64
import binascii
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from hub.db.models import Counter, Device, DeviceLog, Play, Screenshot

from .devices import log_event

log = logging.getLogger(__name__)

MAX_SCREENSHOT_BYTES = 512 * 1024
MAX_SCREENSHOT_SIDE = 2048
MAX_ERRORS = 20
DETAILS_MAX = 16 * 1024


class BadEvent(ValueError):
    """One record refused (the message names the field)."""


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    ignored: int = 0  # kinds this hub does not know (a newer device)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Retention:
    screenshots_kept: int = 48
    plays_kept_days: int = 92
    log_kept_days: int = 92


# -- field readers: a wrong type is one refused record, never a 500 --------------------------
def _text(v: Any, limit: int, what: str, *, required: bool = False) -> str | None:
    if v is None and not required:
        return None
    if not isinstance(v, str) or (required and not v):
        raise BadEvent(f"{what}: expected text")
    return v[:limit]


def _number(v: Any, what: str, lo: float = 0, hi: float = 1e15) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
        raise BadEvent(f"{what}: expected a number from {lo:g} to {hi:g}")
    return float(v)


def _when(v: Any, what: str) -> datetime:
    try:
        t = datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    except ValueError:
        raise BadEvent(f"{what}: expected an ISO date-time with an offset") from None
    if t.tzinfo is None:
        raise BadEvent(f"{what}: expected an ISO date-time with an offset")
    return t


def _soft(fn: Any, *args: Any) -> Any:
    """A heartbeat field read leniently: a wrong value is left out, the rest is kept."""
    try:
        return fn(*args)
    except BadEvent:
        return None


def count(s: Session, name: str, n: int = 1) -> None:
    """Add to a shared counter (row made on first use)."""
    if _rowcount(s.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + n))) == 0:
        s.add(Counter(name=name, value=n))
        s.flush()


def _rowcount(result: Any) -> int:
    return int(result.rowcount)  # a CursorResult for UPDATE/DELETE


def ingest(s: Session, device_id: str, events: list[Any], now: datetime, retention: Retention) -> IngestResult:
    """Take a batch from ``device_id`` (already authenticated). Caller commits."""
    result = IngestResult()
    plays: list[tuple[str, Mapping[str, Any], datetime]] = []
    for i, e in enumerate(events):
        try:
            if not isinstance(e, dict):
                raise BadEvent("expected an object")
            key = _text(e.get("key"), 64, "key", required=True)
            kind = e.get("kind")
            created = _when(e.get("created_at"), "created_at")
            payload = e.get("payload")
            if not isinstance(payload, dict):
                raise BadEvent("payload: expected an object")
            assert key is not None
            if kind == "play":
                plays.append((key, payload, created))
                continue
            if kind == "heartbeat":
                _heartbeat(s, device_id, payload, created, now)
                result.accepted += 1
            elif kind == "screenshot":
                if _screenshot(s, device_id, key, payload, created, now, retention):
                    result.accepted += 1
                else:
                    result.duplicates += 1
            else:
                result.ignored += 1
        except BadEvent as err:
            result.refused += 1
            result.problems.append(f"events[{i}]: {err}")
    if plays:
        _plays(s, device_id, plays, now, result)
    if result.refused:
        count(s, "refused_invalid_record", result.refused)
        log.warning("device %s: %d record(s) refused, first: %s", device_id, result.refused, result.problems[0])
    return result


def _plays(s: Session, device_id: str, plays: list[tuple[str, Mapping[str, Any], datetime]], now: datetime,
           result: IngestResult) -> None:
    keys = [k for k, _p, _c in plays]
    known = set(s.scalars(select(Play.key).where(Play.device_id == device_id, Play.key.in_(keys))))
    rows: list[dict[str, Any]] = []
    for key, p, _created in plays:
        if key in known:
            result.duplicates += 1
            continue
        try:
            rows.append({
                "device_id": device_id, "key": key, "item": _text(p.get("item"), 100, "payload.item", required=True),
                "kind": _text(p.get("kind"), 32, "payload.kind") or "", "received_at": now,
                "content_version": _text(p.get("content_version"), 64, "payload.content_version"),
                "start": _when(p.get("start"), "payload.start"),
                "duration_s": _number(p.get("duration_s"), "payload.duration_s", 0, 86400 * 7) or 0.0,
            })
            known.add(key)
        except BadEvent as err:
            result.refused += 1
            result.problems.append(f"play {key}: {err}")
    if rows:
        # One statement for the batch (the ORM sent one INSERT … RETURNING id per play:
        # ids the hub never reads, and five round trips to PostgreSQL a heartbeat).
        s.execute(insert(Play), rows)
    result.accepted += len(rows)


def _heartbeat(s: Session, device_id: str, p: Mapping[str, Any], created: datetime, now: datetime) -> None:
    device = s.get(Device, device_id)
    if device is None:
        return
    if device.reported_at is not None and created < device.reported_at:
        return  # an older heartbeat sent late (the outbox after an outage): the state is newer
    raw_player = p.get("player")
    player: Mapping[str, Any] = raw_player if isinstance(raw_player, dict) else {}
    device.reported_at = created
    device.live_version = _soft(_text, p.get("live_version"), 64, "live_version")
    device.software = _soft(_text, p.get("software"), 64, "software")
    device.poll_interval_s = _soft(_number, p.get("poll_interval_s"), "poll_interval_s", 1, 86400)
    device.disk_free_bytes = _int(_soft(_number, p.get("disk_free_bytes"), "disk_free_bytes"))
    device.disk_total_bytes = _int(_soft(_number, p.get("disk_total_bytes"), "disk_total_bytes"))
    device.uptime_s = _int(_soft(_number, p.get("system_uptime_s", p.get("uptime_s")), "uptime_s"))
    device.mode = _soft(_text, p.get("mode"), 16, "mode")
    orientation = _soft(_number, p.get("orientation"), "orientation", 0, 270)
    device.orientation = int(orientation) if orientation is not None else None
    running = player.get("running")
    device.player_running = running if isinstance(running, bool) else None
    device.showing = _soft(_text, player.get("showing"), 100, "showing")
    device.showing_kind = _soft(_text, player.get("showing_kind"), 32, "showing_kind")
    device.why = _soft(_text, player.get("why"), 500, "why")
    power = player.get("screen_power")
    device.screen_on = {"on": True, "off": False}.get(power) if isinstance(power, str) else None
    alerts = player.get("alerts")
    device.alerts = [a[:64] for a in alerts if isinstance(a, str)][:20] if isinstance(alerts, list) else []
    errors = p.get("errors")
    new_errors = [x[:300] for x in errors if isinstance(x, str)][:MAX_ERRORS] if isinstance(errors, list) else []
    for text in new_errors:
        if text not in (device.errors or []):
            log_event(s, device_id, created, "error", text)
    device.errors = new_errors
    details = {k: v for k, v in p.items() if k not in ("errors",)}
    device.details = details if len(repr(details)) <= DETAILS_MAX else {"note": "heartbeat too large to keep"}


def _int(v: float | None) -> int | None:
    return int(v) if v is not None else None


def _screenshot(s: Session, device_id: str, key: str, p: Mapping[str, Any], created: datetime, now: datetime,
                retention: Retention) -> bool:
    from PIL import Image, ImageStat, UnidentifiedImageError

    if s.scalar(select(Screenshot.id).where(Screenshot.device_id == device_id, Screenshot.key == key)) is not None:
        return False
    data = p.get("jpeg")
    if not isinstance(data, str) or len(data) > MAX_SCREENSHOT_BYTES * 4 // 3 + 4:
        raise BadEvent(f"payload.jpeg: expected base64 of a JPEG of at most {MAX_SCREENSHOT_BYTES // 1024} KiB")
    try:
        raw = base64.b64decode(data, validate=True)
        with Image.open(io.BytesIO(raw)) as img:
            if img.format != "JPEG":
                raise BadEvent("payload.jpeg: not a JPEG")
            w, h = img.size
            if not (1 <= w <= MAX_SCREENSHOT_SIDE and 1 <= h <= MAX_SCREENSHOT_SIDE):
                raise BadEvent(f"payload.jpeg: {w}×{h} is over {MAX_SCREENSHOT_SIDE} pixels a side")
            img.draft("L", (w // 8 or 1, h // 8 or 1))
            luma = ImageStat.Stat(img.convert("L")).mean[0]
    except (binascii.Error, ValueError) as e:
        if isinstance(e, BadEvent):
            raise
        raise BadEvent("payload.jpeg: not base64") from None
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise BadEvent("payload.jpeg: not a readable image") from None
    taken = _soft(_when, p.get("taken_at"), "taken_at") or created
    reason = p.get("reason") if p.get("reason") in ("scheduled", "asked") else "scheduled"
    s.add(Screenshot(device_id=device_id, key=key, taken_at=taken, received_at=now, reason=reason,
                     width=w, height=h, mean_luma=round(luma, 1), jpeg=raw))
    device = s.get(Device, device_id)
    if device is not None and device.screenshot_requested_at is not None and taken >= device.screenshot_requested_at:
        device.screenshot_requested_at = None
    if luma < 8 and device is not None and device.showing_kind not in (None, "waiting"):
        log_event(s, device_id, taken, "black", f"the screenshot is black (mean brightness {luma:.0f}/255)")
    s.flush()
    keep = s.scalars(select(Screenshot.id).where(Screenshot.device_id == device_id)
                     .order_by(Screenshot.taken_at.desc(), Screenshot.id.desc())
                     .offset(retention.screenshots_kept)).all()
    if keep:
        s.execute(delete(Screenshot).where(Screenshot.id.in_(keep)))
    return True


def prune(s: Session, now: datetime, retention: Retention) -> None:
    """Old plays and log lines go (screenshots are pruned per device as they come)."""
    s.execute(delete(Play).where(Play.start < now - timedelta(days=retention.plays_kept_days)))
    s.execute(delete(DeviceLog).where(DeviceLog.at < now - timedelta(days=retention.log_kept_days)))

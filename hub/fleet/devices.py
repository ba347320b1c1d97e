"""Devices of the fleet: enrolment by one-time code, one token per device, contact times.

Only hashes of tokens and codes are stored. A device's token authenticates each of its
requests; a revoked or unknown token authenticates nothing. "Last seen" is the time of the
device's last authenticated request (its manifest poll or its upload).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.db.models import Device, DeviceLog, DeviceToken, EnrolCode
from hub.tree_http import ID_RE

from .credentials import code_hash, new_enrol_code, new_token, token_hash

log = logging.getLogger(__name__)

# Contact times are written at most this often per device (a poll every few seconds in a
# test, every 30 s to 5 min in a town: one UPDATE per poll either way).
SEEN_RESOLUTION = timedelta(seconds=1)
PLACE_MAX = 200


class EnrolError(Exception):
    """An enrolment refused; ``status`` is the HTTP status, the message one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Enrolment:
    device_id: str
    token: str | None = field(repr=False)  # None: already enrolled with this code
    already: bool = False


@dataclass(frozen=True)
class TokenOwner:
    """The device a request's token belongs to."""

    device_id: str
    last_seen_at: datetime | None
    offline_noted: bool


def _rowcount(result: Any) -> int:
    return int(result.rowcount)  # a CursorResult for UPDATE/DELETE


def check_device_id(device_id: str) -> str:
    if not ID_RE.match(device_id or ""):
        raise ValueError(f"{device_id!r} is not a device id (a-z, 0-9, '-', '_', up to 64, starting with a letter "
                         f"or digit)")
    return device_id


def log_event(s: Session, device_id: str, at: datetime, kind: str, text: str) -> None:
    s.add(DeviceLog(device_id=device_id, at=at, kind=kind, text=text[:500]))


def make_enrol_code(s: Session, created_by: str, now: datetime, *, device_id: str | None = None,
                    place: str = "", valid: timedelta = timedelta(hours=24)) -> str:
    """A new one-time code (shown once; only its hash is kept)."""
    if device_id is not None:
        check_device_id(device_id)
    code = new_enrol_code()
    s.add(EnrolCode(code_hash=code_hash(code), device_id=device_id, place=place.strip()[:PLACE_MAX],
                    created_by=created_by, created_at=now, expires_at=now + valid))
    log.info("enrolment code made by %s%s, valid until %s", created_by,
             f" for device {device_id}" if device_id else "", (now + valid).isoformat())
    return code


def enrol(s: Session, code: str, asked_id: str | None, now: datetime, *, hostname: str | None = None,
          current_token: str | None = None) -> Enrolment:
    """Give a device its token for a valid code (see the module docstring). Caller commits."""
    row = s.scalar(select(EnrolCode).where(EnrolCode.code_hash == code_hash(code)))
    if row is None:
        raise EnrolError(403, "unknown enrolment code (check it, or make a new one: kiosk hub enrol-code)")
    if row.used_at is not None:
        owner = token_owner(s, current_token) if current_token else None
        if owner is not None and owner.device_id == row.used_by_device:
            return Enrolment(owner.device_id, None, already=True)
        raise EnrolError(409, "this enrolment code has been used already; make a new one")
    if row.expires_at <= now:
        raise EnrolError(403, f"this enrolment code expired at {row.expires_at:%Y-%m-%d %H:%M} UTC; make a new one")
    if asked_id is not None:
        try:
            check_device_id(asked_id)
        except ValueError as e:
            raise EnrolError(400, str(e)) from None
    if row.device_id and asked_id and asked_id != row.device_id:
        raise EnrolError(409, f"this code is for device {row.device_id}, not {asked_id}")
    device_id = row.device_id or asked_id
    if not device_id:
        raise EnrolError(400, "this code names no device: give the device's id (kiosk provision --device-id)")
    device = s.get(Device, device_id)
    if device is not None and row.device_id != device_id:
        raise EnrolError(409, f"device {device_id} is enrolled already; to enrol it again, make a code for it "
                              f"(kiosk hub enrol-code --device {device_id})")
    if device is None:
        device = Device(id=device_id, place=row.place, created_at=now, offline_noted=False,
                        alerts=[], errors=[], details={})
        s.add(device)
    elif row.place:
        device.place = row.place
    if hostname:
        device.hostname = hostname[:255]
    s.flush()
    revoked = _rowcount(s.execute(update(DeviceToken).where(DeviceToken.device_id == device_id, DeviceToken.revoked_at.is_(None))
                        .values(revoked_at=now)))
    token = new_token()
    s.add(DeviceToken(device_id=device_id, token_hash=token_hash(token), created_at=now))
    row.used_at, row.used_by_device = now, device_id
    log_event(s, device_id, now, "enrolled", "enrolled" + (f" ({revoked} older token(s) revoked)" if revoked else ""))
    log.info("device %s enrolled%s", device_id, f", {revoked} older token(s) revoked" if revoked else "")
    return Enrolment(device_id, token)


def token_owner(s: Session, token: str | None) -> TokenOwner | None:
    """The device of a valid (known, not revoked) token, or None."""
    if not token:
        return None
    row = s.execute(
        select(Device.id, Device.last_seen_at, Device.offline_noted)
        .join(DeviceToken, DeviceToken.device_id == Device.id)
        .where(DeviceToken.token_hash == token_hash(token), DeviceToken.revoked_at.is_(None))
    ).first()
    return TokenOwner(row[0], row[1], row[2]) if row else None


def seen(s: Session, owner: TokenOwner, now: datetime, addr: str) -> bool:
    """Note a contact; returns whether anything was written (caller commits)."""
    if owner.last_seen_at is not None and now - owner.last_seen_at < SEEN_RESOLUTION and not owner.offline_noted:
        return False
    values: dict[str, object] = {"last_seen_at": now, "last_seen_addr": addr[:64]}
    if owner.offline_noted:
        values["offline_noted"] = False
        away = now - owner.last_seen_at if owner.last_seen_at else None
        log_event(s, owner.device_id, now, "online",
                  "back online" + (f" after {_duration(away)} without contact" if away else ""))
        log.info("device %s back online", owner.device_id)
    s.execute(update(Device).where(Device.id == owner.device_id).values(**values))
    return True


class ContactBuffer:
    """Contacts of read-only requests (manifest polls, media) noted in memory and written
    together, one transaction a :meth:`flush` (a second, per worker): a poll then writes
    nothing itself, so polls do not queue for the database's write lock behind reports.

    A device coming back from an offline spell is written at once (it is rare and logged).
    """

    def __init__(self) -> None:
        self._pending: dict[str, tuple[datetime, str]] = {}
        self._lock = threading.Lock()

    def note(self, owner: TokenOwner, now: datetime, addr: str) -> bool:
        """True if noted here; False if the caller must write it now (see :func:`seen`)."""
        if owner.offline_noted:
            return False
        if owner.last_seen_at is not None and now - owner.last_seen_at < SEEN_RESOLUTION:
            return True
        with self._lock:
            self._pending[owner.device_id] = (now, addr[:64])
        return True

    def flush(self, s: Session) -> int:
        """Write what was noted (caller commits); returns how many devices."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if pending:
            s.execute(update(Device), [{"id": d, "last_seen_at": t, "last_seen_addr": a}
                                       for d, (t, a) in pending.items()])
        return len(pending)


def revoke_tokens(s: Session, device_id: str, now: datetime, by: str) -> int:
    n = _rowcount(s.execute(update(DeviceToken).where(DeviceToken.device_id == device_id, DeviceToken.revoked_at.is_(None))
                  .values(revoked_at=now)))
    if n:
        log_event(s, device_id, now, "revoked", f"token revoked by {by}")
        log.info("token of device %s revoked by %s", device_id, by)
    return n


def has_token(s: Session, device_id: str) -> bool:
    return s.scalar(select(DeviceToken.id).where(DeviceToken.device_id == device_id,
                                                 DeviceToken.revoked_at.is_(None)).limit(1)) is not None


def request_screenshot(s: Session, device_id: str, now: datetime, by: str) -> bool:
    device = s.get(Device, device_id)
    if device is None:
        return False
    device.screenshot_requested_at = now
    log.info("screenshot of %s asked by %s", device_id, by)
    return True


def offline_after(device: Device, polls: int, default_poll_s: float) -> timedelta:
    """How long without contact before a device counts as offline: ``polls`` of its intervals."""
    interval = device.poll_interval_s or default_poll_s
    return timedelta(seconds=max(1.0, polls * interval))


def note_offline(s: Session, devices: list[Device], now: datetime, polls: int, default_poll_s: float) -> None:
    """Write "went offline" once per spell, for devices a page found past their threshold."""
    for d in devices:
        if d.last_seen_at is None or d.offline_noted:
            continue
        if now - d.last_seen_at > offline_after(d, polls, default_poll_s):
            d.offline_noted = True
            log_event(s, d.id, d.last_seen_at, "offline", "no contact since then")
            log.warning("device %s offline: no contact since %s", d.id, d.last_seen_at.isoformat())


def _duration(d: timedelta) -> str:
    seconds = int(d.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"

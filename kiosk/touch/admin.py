"""The technician's overlay: PIN check, what it shows, what it can do. Pure Python.

The PIN is stored in the device config as a salted scrypt hash
(``scrypt$16384$8$1$<salt b64>$<hash b64>``); make one with
``python -m kiosk.touch.admin`` (it asks for the PIN without echoing it).
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

log = logging.getLogger(__name__)

_N, _R, _P = 2 ** 14, 8, 1
MAX_ATTEMPTS = 5
LOCKOUT_S = 60.0


def make_pin_hash(pin: str, *, salt: bytes | None = None) -> str:
    """A config string for ``pin``: scrypt with a random 16-byte salt."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("the PIN must be 4 to 12 digits")
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str | None) -> bool:
    """True when ``pin`` matches ``stored``; a missing or malformed hash matches nothing."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        got = hashlib.scrypt(pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


class PinGate:
    """Counts wrong PINs and locks entry for a while after too many (monotonic time)."""

    def __init__(self, stored_hash: str | None, monotonic: Callable[[], float]) -> None:
        self._hash = stored_hash
        self._monotonic = monotonic
        self._failures = 0
        self._locked_until = 0.0

    def locked_for(self) -> float:
        """Seconds left before another try is accepted (0 when not locked)."""
        return max(0.0, self._locked_until - self._monotonic())

    def check(self, pin: str) -> bool:
        if self.locked_for() > 0:
            return False
        if verify_pin(pin, self._hash):
            self._failures = 0
            log.info("admin overlay unlocked")
            return True
        self._failures += 1
        if self._failures >= MAX_ATTEMPTS:
            self._failures = 0
            self._locked_until = self._monotonic() + LOCKOUT_S
            log.warning("admin PIN: %d wrong attempts, entry locked for %.0f s", MAX_ATTEMPTS, LOCKOUT_S)
        return False


@dataclass(frozen=True)
class SyncSummary:
    finished_at: datetime | None
    outcome: str  # e.g. "updated", "unchanged", "failed"; "" when no sync ran yet
    message: str = ""


@dataclass(frozen=True)
class AdminInfo:
    """What the overlay shows; the host builds it when the overlay opens."""

    device_id: str
    software_version: str
    content_version: str
    last_sync: SyncSummary | None
    network: str  # a short human sentence, e.g. "online (eth0 192.0.2.4)"
    # The election reserve period in force: (election names, last day), else None.
    reserve_period: tuple[str, date] | None = None


@dataclass(frozen=True)
class AdminActions:
    """Callbacks of the host application; a None action has no button."""

    sync_now: Callable[[], None] | None = None
    test_card: Callable[[], None] | None = None
    restart_player: Callable[[], None] | None = None


def last_sync_from_records(records: Sequence[object]) -> SyncSummary | None:
    """The newest of ``ContentCache.last_sync_runs()`` as a summary (None if none)."""
    if not records:
        return None
    r = records[0]
    return SyncSummary(getattr(r, "finished_at", None), str(getattr(r, "outcome", "")),
                       str(getattr(r, "message", "") or ""))


def main(argv: Sequence[str] | None = None) -> int:
    """Print a PIN hash for the device config (``admin_pin_hash = "…"``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    pin = args[0] if args else getpass.getpass("PIN (4 to 12 digits): ")
    try:
        print(make_pin_hash(pin))
    except ValueError as e:
        print(f"kiosk: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What one sync pass found and did: the manifest poll, and the result of the pass.

Light (no database, no SQLAlchemy): ``kiosk sync --once`` never imports SQLAlchemy
(sync/one_shot.py).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias

from .errors import Stopped, SyncError
from .manifest import ManifestError
from .source import ContentSource, ManifestFetch

log = logging.getLogger(__name__)

# Set on the log records that say how a sync pass ended (``extra=RESULT``): `kiosk sync
# --once` prints the result itself, once, and leaves these out of its log.
RESULT = {"sync_result": True}


def is_result_record(record: logging.LogRecord) -> bool:
    return bool(getattr(record, "sync_result", False))


class Outcome:
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    UNREACHABLE = "unreachable"
    INVALID = "invalid"
    INCOMPLETE = "incomplete"
    REFUSED = "refused"
    STOPPED = "stopped"
    NO_SPACE = "no-space"  # the disk under the data folder is full
    READ_ONLY = "read-only"  # the data folder cannot be written
    BUSY = "busy"  # another sync (or import) writes this cache: one writer at a time


@dataclass(frozen=True)
class SyncResult:
    outcome: str
    live_version: str | None
    files_fetched: int = 0
    bytes_fetched: int = 0
    requests: int = 0
    message: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)
    alerts_shown_early: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.UPDATED, Outcome.UNCHANGED)


@dataclass(frozen=True)
class Polled:
    """One conditional manifest request, answered: nothing new, or a new manifest."""

    started: datetime
    fetch: ManifestFetch


@dataclass(frozen=True)
class PollFailed:
    """One conditional manifest request that gave nothing usable, and why."""

    started: datetime
    failure: str  # an Outcome: INVALID, STOPPED or UNREACHABLE
    message: str
    problems: tuple[str, ...] = ()


Poll: TypeAlias = Polled | PollFailed


def poll_manifest(source: ContentSource, etag: str | None, now: Callable[[], datetime]) -> Poll:
    """Fetch the manifest (``If-None-Match: etag``), validated; never raises for network
    or content faults: the poll says."""
    started = now()
    try:
        return Polled(started, source.fetch_manifest(etag))
    except ManifestError as e:
        for line in e.lines():
            log.error("%s", line, extra=RESULT)
        return PollFailed(started, Outcome.INVALID, str(e), tuple(e.lines()))
    except Stopped:
        return PollFailed(started, Outcome.STOPPED, "stopped")
    except SyncError as e:
        return PollFailed(started, Outcome.UNREACHABLE, str(e))

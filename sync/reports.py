"""What the device reports beyond sync's own state, and what the server asks back.

The sync daemon sends a heartbeat with each poll and uploads its outbox right after; a
hub answers the upload with ``{"requests": {"screenshot": true}}`` when a technician
asked for one. The application (kiosk/device/reporting.py) fills in what only it knows —
the player's state, the screen, the system — and acts on the requests. A server without
the upload endpoint (a static host) just never asks anything.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from content_cache import Outbox


@dataclass(frozen=True)
class ServerRequests:
    """What the server's answer to an upload asks of the device."""

    screenshot: bool = False

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any] | None) -> ServerRequests:
        asked = answer.get("requests") if isinstance(answer, Mapping) else None
        if not isinstance(asked, Mapping):
            return cls()
        return cls(screenshot=asked.get("screenshot") is True)


@dataclass(frozen=True)
class SyncState:
    """Sync's side of a heartbeat, handed to the reporter (for its metrics file)."""

    live_version: str | None
    last_outcome: str | None
    last_ok_at: datetime | None
    outbox_waiting: int
    outbox_dropped: int
    upload_state: str


class DeviceReports(Protocol):
    def heartbeat_fields(self) -> Mapping[str, Any]:
        """Fields added to each heartbeat (the player's state, the screen, the system)."""
        ...

    def after_upload(self, outbox: Outbox, asked: ServerRequests, state: SyncState, now: datetime) -> bool:
        """Act on the server's requests and on schedules (a screenshot into the outbox);
        returns True when it queued something worth uploading at once."""
        ...

"""What a sync pass needs of the cache it writes: one interface, two implementations.

:class:`content_cache.ContentCache` (the sync daemon, the player) and
:class:`content_cache.LightCache` (``kiosk sync --once``, without SQLAlchemy) both satisfy
:class:`WritableCache`: they run the same SQL (content_cache.writes, content_cache._upkeep).
Imports nothing at run time, so naming the interface costs a one-shot sync nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .live_read import LiveState
    from .store import MediaStore
    from .writes import SyncRunRecord, VersionRows


class WritableCache(Protocol):
    """The cache as the syncer reads and writes it."""

    @property
    def root(self) -> Path:
        """The cache's folder (the syncer keeps the installed manifests beside it)."""

    @property
    def store(self) -> MediaStore:
        """The media store, where downloads go."""

    def live_state(self) -> LiveState:
        """The live pointer and the live version's ETag."""

    def set_live_etag(self, etag: str | None) -> None:
        """Remember a new ETag for unchanged live content."""

    def set_alert_overlay(self, source_version: str, alerts: Sequence[object], now: datetime) -> bool:
        """Show the alerts of a not-yet-live version now; True if what plays changed."""

    def make_room(self, needed: dict[str, int], max_bytes: int | None, version: str) -> None:
        """Make ``needed`` files fit beside the live version; raises QuotaExceeded."""

    def make_disk_room(self, needed: dict[str, int], version: str | None, now: float,
                       reserve: int = ...) -> None:
        """Make the files of ``needed`` not yet stored fit on the disk; raises NoSpace."""

    def missing_live_files(self) -> dict[str, int]:
        """Files of the live version absent from the store or of the wrong size."""

    def clear_problem(self, sha: str, now: datetime) -> None:
        """A file found missing or corrupt is back, verified."""

    def install_version(self, version: VersionRows, now: datetime, *, verify_hashes: bool = False) -> LiveState:
        """Make ``version`` live in one transaction; raises MissingMediaError."""

    def collect_garbage(self, extra_keep: set[str] | None = None) -> list[str]:
        """Delete files and rows no kept version references."""

    def record_sync_run(self, run: SyncRunRecord) -> None:
        """Keep one sync pass's outcome for ``kiosk status``."""

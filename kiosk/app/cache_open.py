"""Opening the device's cache, rebuilding it first after a schema upgrade."""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from content_cache import DB_NAME, LiveReader, MediaStore, SchemaMismatch

if TYPE_CHECKING:
    from content_cache import ContentCache

log = logging.getLogger(__name__)


def open_cache(data_dir: Path, now: Callable[[], datetime] | None = None) -> ContentCache:
    """The opened cache of ``data_dir``; after an upgrade that changed the database schema,
    the live and previous versions are rebuilt from their kept manifests (offline)."""
    from content_cache import ContentCache  # SQLAlchemy: imported by the callers that write

    cache = ContentCache(data_dir / "cache").open()
    if cache.set_aside is not None:
        from sync import restore_versions  # only after an upgrade: keeps start-up light

        restore_versions(cache, cache.set_aside, (now or (lambda: datetime.now(UTC)))())
    return cache


class PlayerCache:
    """The player's cache: what plays is read at once with the standard sqlite3
    (:class:`content_cache.LiveReader`); the full SQLAlchemy cache — the proof
    of play's outbox, the admin overlay's sync history — is opened on first use, which
    the player arranges after its first frame. Half a second of imports on a small board
    is then spent while the first slide is already on screen.

    A cache that cannot be read that way (never synced, or written by an older schema
    and to be rebuilt) is opened the full way at once, as before.
    """

    def __init__(self, data_dir: Path, now: Callable[[], datetime] | None = None) -> None:
        self.data_dir = data_dir
        self.now = now
        self.store = MediaStore(data_dir / "cache" / "media")
        self._full: ContentCache | None = None
        self._lock = threading.Lock()
        self.reader: LiveReader

    @classmethod
    def open(cls, data_dir: Path, now: Callable[[], datetime] | None = None) -> PlayerCache:
        pc = cls(data_dir, now)
        try:
            pc.reader = LiveReader(data_dir / "cache" / DB_NAME, pc.store).open()
        except (SchemaMismatch, sqlite3.Error) as e:
            log.info("cache opened the full way: %s", e)
            pc._full = open_cache(data_dir, now)
            pc.reader = pc._full.reader
        return pc

    def full(self) -> ContentCache:
        """The SQLAlchemy cache, opened on first use (any thread)."""
        with self._lock:
            if self._full is None:
                self._full = open_cache(self.data_dir, self.now)
            return self._full

    def close(self) -> None:
        with self._lock:
            if self._full is not None:
                if self._full.reader is not self.reader:
                    self.reader.close()
                self._full.close()
                self._full = None
            else:
                self.reader.close()

"""The player's cache: the live content read at once, the rest opened after the first frame."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from content_cache import DB_NAME, LiveContent, LiveReader, LiveState, MediaStore, SchemaMismatch
from kiosk.device.cache import open_cache

if TYPE_CHECKING:
    from content_cache import ContentCache

log = logging.getLogger(__name__)


class PlayerCache:
    """The player's cache: what plays is read at once with the standard sqlite3
    (:class:`content_cache.LiveReader`); the full SQLAlchemy cache — the proof
    of play's outbox, the admin overlay's sync history — is opened on first use, which
    the player arranges after its first frame. Half a second of imports on a small board
    is then spent while the first slide is already on screen.

    A cache that cannot be read that way (never synced, or written by an older schema
    and to be rebuilt) is opened the full way at once, as before.

    The player never stops for the cache: a database that cannot be opened (damaged, a
    read-only folder before the first sync) or that fails a read leaves the last content
    read on screen — or the waiting card — and is tried again every :attr:`RETRY_S`
    seconds; a database the sync set aside and rebuilt (a new file under the same name)
    is opened anew. :attr:`epoch` changes with every new reader, so the player reloads.
    The player never rebuilds a damaged database itself: the sync does, under its lock.
    """

    RETRY_S = 10.0

    def __init__(self, data_dir: Path, now: Callable[[], datetime] | None = None) -> None:
        self.data_dir = data_dir
        self.now = now
        self.store = MediaStore(data_dir / "cache" / "media")
        self._full: ContentCache | None = None
        self._lock = threading.Lock()
        self.reader: LiveReader | None = None
        self.epoch = 0
        self.problem: str | None = None  # why there is no reader now, said once
        self._retry_at = 0.0
        self._last_state = LiveState(None, None, 0, None)
        self._last_content: LiveContent | None = None

    @classmethod
    def open(cls, data_dir: Path, now: Callable[[], datetime] | None = None) -> PlayerCache:
        pc = cls(data_dir, now)
        pc._connect()
        return pc

    def _connect(self) -> None:
        """A reader of the live content, or none for now (``problem`` says why)."""
        db = self.data_dir / "cache" / DB_NAME
        try:
            reader = LiveReader(db, self.store).open()
        except (SchemaMismatch, sqlite3.Error, OSError) as e:
            log.info("cache opened the full way: %s", e)
            try:
                with self._lock:
                    if self._full is not None and self._full.database_replaced():
                        self._full.close()  # of a file set aside: what it would write is lost anyway
                        self._full = None
                    if self._full is None:
                        self._full = open_cache(self.data_dir, self.now)
                    reader = self._full.reader
            except Exception as e2:  # noqa: BLE001 - whatever it is, the screen goes on
                self._lost(f"content cache unreadable: {_one_line(e2)}")
                return
        if reader.snapshot:
            log.warning("content cache read as a snapshot (nothing can be written beside %s): "
                        "a new version is seen once it can be opened normally", db)
        self.reader = reader
        self.epoch += 1
        if self.problem is not None:
            log.info("content cache readable again")
        self.problem = None

    def _lost(self, problem: str) -> None:
        if problem != self.problem:
            log.warning("%s; the player keeps %s and tries again every %.0f s", problem,
                        "the content it has" if self._last_content else "the waiting card", self.RETRY_S)
        self.problem = problem
        self._drop_reader()
        self._retry_at = time.monotonic() + self.RETRY_S

    def _drop_reader(self) -> None:
        reader, self.reader = self.reader, None
        if reader is not None and (self._full is None or reader is not self._full.reader):
            reader.close()

    def _usable(self) -> LiveReader | None:
        reader = self.reader
        if reader is not None and reader.replaced():
            log.info("content cache database replaced (set aside and rebuilt by the sync): opening it anew")
            self._drop_reader()
            self._connect()
        elif reader is not None and reader.snapshot and time.monotonic() >= self._retry_at:
            self._retry_at = time.monotonic() + self.RETRY_S
            self._leave_snapshot()
        elif reader is None and time.monotonic() >= self._retry_at:
            self._retry_at = time.monotonic() + self.RETRY_S
            self._connect()
        return self.reader

    def _leave_snapshot(self) -> None:
        """A snapshot sees no new version: open the database normally once it can be."""
        try:
            fresh = LiveReader(self.data_dir / "cache" / DB_NAME, self.store).open()
        except (SchemaMismatch, sqlite3.Error, OSError):
            return
        if fresh.snapshot:
            fresh.close()
            return
        log.info("content cache writable again: read normally")
        self._drop_reader()
        self.reader = fresh
        self.epoch += 1

    def live_state(self) -> LiveState:
        """The live pointer (one row); the last one read if the cache cannot be read now."""
        reader = self._usable()
        if reader is not None:
            try:
                self._last_state = reader.live_state()
            except sqlite3.Error as e:
                self._lost(f"content cache unreadable: {_one_line(e)}")
        return self._last_state

    def read_live(self) -> LiveContent | None:
        """The live content; the last one read if the cache cannot be read now."""
        reader = self._usable()
        if reader is not None:
            try:
                self._last_content = reader.read_live()
            except sqlite3.Error as e:
                self._lost(f"content cache unreadable: {_one_line(e)}")
        return self._last_content

    def full(self) -> ContentCache:
        """The SQLAlchemy cache, opened on first use (any thread)."""
        with self._lock:
            if self._full is None:
                self._full = open_cache(self.data_dir, self.now)
            return self._full

    def close(self) -> None:
        with self._lock:
            if self.reader is not None and (self._full is None or self.reader is not self._full.reader):
                self.reader.close()
            self.reader = None
            if self._full is not None:
                self._full.close()
                self._full = None


def _one_line(e: BaseException) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0]

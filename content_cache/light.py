"""The content cache opened with the standard library's sqlite3 alone.

``kiosk sync --once`` writes through it: the same SQL as :class:`ContentCache`
(content_cache.writes, content_cache._upkeep) without importing SQLAlchemy and the
models, about half a second of CPU that a one-shot sync would otherwise spend while its
downloads need the processor. It opens a database of this software's schema, or creates
the first one from the tables' one definition (:mod:`content_cache.schema`); a database of
another schema raises :class:`SchemaMismatch`, and is then opened the full way
(kiosk.device.cache: set aside, rebuilt from the kept manifests).
"""
from __future__ import annotations

import fcntl
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ._upkeep import UpkeepMixin
from .damage import database_damage
from .errors import CacheError, SchemaMismatch
from .live_read import DB_NAME, POINTER_ID
from .schema import SCHEMA_VERSION, create_statements
from .store import MediaStore
from .writes import immediate, set_connection_pragmas

log = logging.getLogger(__name__)


class LightCache(UpkeepMixin):
    """The writes a sync pass needs (version switch, alert overlay, quota, garbage, media
    checks, sync history) on one sqlite3 connection. Nothing is opened until :meth:`open`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.db_path = self.root / DB_NAME
        self.store = MediaStore(self.root / "media")
        self._con: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    def open(self) -> LightCache:
        """Open, creating a first database; raises :class:`SchemaMismatch` for a database of
        another schema version (or one without tables that a full open must inspect) and
        for a damaged one (content_cache.damage), which the full open sets aside."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.store.ensure()
        # Same lock as ContentCache.open: the player may be creating the schema right now.
        with (self.root / ".schema.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            damage = database_damage(self.db_path)
            if damage is not None:  # set aside and rebuilt the full way, as an outdated schema
                raise SchemaMismatch(f"{self.db_path}: damaged ({damage})")
            con = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False)
            try:
                set_connection_pragmas(con)
                version = con.execute("PRAGMA user_version").fetchone()[0]
                tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
                if not tables:
                    with immediate(con):
                        for statement in create_statements():
                            con.execute(statement)
                        con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                    log.info("cache database created: %s", self.db_path)
                elif version != SCHEMA_VERSION:
                    raise SchemaMismatch(f"{self.db_path}: schema {version}, this software writes {SCHEMA_VERSION}")
                if con.execute("SELECT 1 FROM live_pointer WHERE id = ?", (POINTER_ID,)).fetchone() is None:
                    with immediate(con):  # nothing written when there is nothing to write (a full disk)
                        con.execute("INSERT OR IGNORE INTO live_pointer (id, generation) VALUES (?, 0)", (POINTER_ID,))
            except BaseException:
                con.close()
                raise
        self._con = con
        return self

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> LightCache:
        return self.open() if self._con is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _sql(self) -> Iterator[sqlite3.Connection]:
        if self._con is None:
            raise CacheError(f"content cache {self.root} is not open")
        with self._lock:
            yield self._con

"""The content cache: one SQLite file plus the media store, under one data folder.

Opened through SQLAlchemy (sessions for the outbox, the play log, the sync history); its
version writes are the SQL of :mod:`content_cache.writes`, run on the engine's own
connections, as :class:`content_cache.light.LightCache` runs them without SQLAlchemy.
"""
from __future__ import annotations

import fcntl
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from ._upkeep import UpkeepMixin
from .damage import damaged, database_damage, set_aside_damaged
from .db import (
    create_schema,
    make_engine,
    session_factory,
    set_aside_if_outdated,
    stamp_schema_version,
)
from .errors import CacheError
from .live_read import DB_NAME, POINTER_ID, LiveReader, LiveState
from .models import SA_TABLES, Base, ContentVersion
from .snapshot import LiveContent
from .store import MediaStore
from .writes import SyncRunRecord, VersionRows

log = logging.getLogger(__name__)

_POINTER, _SYNC_RUN = SA_TABLES["live_pointer"], SA_TABLES["sync_run"]


class ContentCache(UpkeepMixin):
    """SQLite database and media store of one device.

    Nothing is opened until :meth:`open` is called.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.db_path = self.root / DB_NAME
        self.store = MediaStore(self.root / "media")
        self._engine: Engine | None = None
        self._reader: LiveReader | None = None
        self.set_aside: Path | None = None
        self.damage: str | None = None  # why the database set aside was damaged
        self._inode: int | None = None

    # -- lifecycle -------------------------------------------------------------
    def open(self, *, heal: bool = False) -> ContentCache:
        """Open (creating if needed). A database of an older schema is set aside first:
        ``set_aside`` then names it, for the application to rebuild versions from.

        A damaged database (content_cache.damage) is set aside too when ``heal`` is
        given — by the writer that holds the writer lock and rebuilds it — and
        ``damage`` says why; otherwise :class:`DamagedDatabase` is raised. Opening
        writes nothing when nothing needs writing, so a full disk can still be read.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        self.store.ensure()
        # The player and the sync daemon start together: one of them at a time checks,
        # sets aside and creates the schema (create_all alone races: "already exists").
        with (self.root / ".schema.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.damage = database_damage(self.db_path)
            if self.damage is not None:
                if not heal:
                    raise damaged(self.db_path, self.damage)
                self.set_aside = set_aside_damaged(self.db_path, self.damage)
            else:
                self.set_aside = set_aside_if_outdated(self.db_path)
                if self.set_aside:
                    log.warning("cache database of an older schema moved to %s", self.set_aside)
            self._engine = make_engine(self.db_path)
            self._write_engine = make_engine(self.db_path, for_writes=True)
            create_schema(self._engine)
            stamp_schema_version(self._engine)
            self._sessions = session_factory(self._engine)
            self._write_sessions = session_factory(self._write_engine)
            with self._sessions() as s:
                missing = s.scalar(select(_POINTER.c.id).where(_POINTER.c.id == POINTER_ID)) is None
            if missing:  # written only when missing: a full disk can still be opened
                with self._write_sessions.begin() as s:
                    if s.scalar(select(_POINTER.c.id).where(_POINTER.c.id == POINTER_ID)) is None:
                        s.execute(insert(_POINTER).values(id=POINTER_ID, generation=0))
            self._inode = self.db_path.stat().st_ino
        self._reader = LiveReader(self.db_path, self.store).open()
        return self

    def database_replaced(self) -> bool:
        """True when ``cache.sqlite`` is no longer the file this cache opened (another
        process set a damaged one aside and made a new one): reopen to see it."""
        try:
            return self.db_path.stat().st_ino != self._inode
        except FileNotFoundError:
            return True

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._engine is not None:
            self._engine.dispose()
            self._write_engine.dispose()
            self._engine = None

    def __enter__(self) -> ContentCache:
        return self.open() if self._engine is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise CacheError(f"content cache {self.root} is not open")
        return self._engine

    def session(self) -> Session:
        """A session for reading (deferred transactions; readers never wait in WAL)."""
        self.engine  # noqa: B018 - raises if closed
        return self._sessions()

    def write_session(self) -> Session:
        """A session whose transactions take the write lock first (BEGIN IMMEDIATE)."""
        self.engine  # noqa: B018 - raises if closed
        return self._write_sessions()

    @contextmanager
    def _sql(self) -> Iterator[sqlite3.Connection]:
        """A pooled connection of the write engine as the plain sqlite3 connection the
        cache's SQL writes use (content_cache.writes): autocommit, the cache's pragmas."""
        self.engine  # noqa: B018 - raises if closed
        raw = self._write_engine.raw_connection()
        try:
            # The engine is SQLite's pysqlite dialect: its driver connection is a sqlite3 one.
            yield cast(sqlite3.Connection, raw.driver_connection)
        finally:
            raw.close()

    def _version_rows(self, version: VersionRows | ContentVersion) -> VersionRows:
        return rows_of(version) if isinstance(version, ContentVersion) else version

    # -- live pointer ----------------------------------------------------------
    @property
    def reader(self) -> LiveReader:
        """The read path of the live content (standard sqlite3, no ORM)."""
        if self._reader is None:
            raise CacheError(f"content cache {self.root} is not open")
        return self._reader

    def live_state(self) -> LiveState:
        """One-row read the player polls to notice a new version."""
        return self.reader.live_state()

    # -- reading ---------------------------------------------------------------
    def read_live(self) -> LiveContent | None:
        """The live version as frozen values, or None before the first sync."""
        return self.reader.read_live()

    def last_sync_runs(self, limit: int = 10) -> list[SyncRunRecord]:
        with self.session() as s:
            rows = s.execute(select(_SYNC_RUN).order_by(_SYNC_RUN.c.id.desc()).limit(limit))
            return [
                SyncRunRecord(
                    r.started_at, r.finished_at, r.outcome, r.version_id,
                    r.files_fetched, r.bytes_fetched, r.message,
                )
                for r in rows
            ]


def _column_values(obj: Base) -> dict[str, object]:
    """The column attributes set on a (transient) ORM object; unset ones are left to the
    columns' defaults, as the unit of work does."""
    state = obj.__dict__
    return {c.key: state[c.key] for c in obj.__table__.columns if c.key in state}


def rows_of(version: ContentVersion) -> VersionRows:
    """An (unsaved) ORM graph of a version as the rows :meth:`ContentCache.install_version`
    inserts."""
    return VersionRows(
        version=_column_values(version),
        media=tuple(_column_values(m) for m in version.media),
        bulletins=tuple(_column_values(b) for b in version.bulletins),
        playlists=tuple(_column_values(p) for p in version.playlists),
        items=tuple({**_column_values(i), "playlist_id": _column_values(p)["id"]} for p in version.playlists for i in p.items),
        kiosk_documents=tuple(_column_values(d) for d in version.kiosk_documents),
    )


def utcnow() -> datetime:
    return datetime.now(UTC)



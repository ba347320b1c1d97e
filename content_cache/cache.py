"""The content cache: one SQLite file plus the media store, under one data folder."""
from __future__ import annotations

import fcntl
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ._upkeep import UpkeepMixin
from .db import (
    create_schema,
    make_engine,
    session_factory,
    set_aside_if_outdated,
    stamp_schema_version,
)
from .errors import CacheError, MissingMediaError
from .models import (
    AlertOverlay,
    Base,
    Bulletin,
    ContentVersion,
    KioskDocument,
    LivePointer,
    MediaFile,
    Playlist,
    PlaylistItem,
    SyncRun,
    VersionMedia,
)
from .live_read import DB_NAME, POINTER_ID, LiveReader, LiveState
from .snapshot import LiveContent, is_alert
from .store import MediaStore

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class SyncRunRecord:
    started_at: datetime
    finished_at: datetime
    outcome: str
    version_id: str | None
    files_fetched: int
    bytes_fetched: int
    message: str


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

    # -- lifecycle -------------------------------------------------------------
    def open(self) -> ContentCache:
        """Open (creating if needed). A database of an older schema is set aside first:
        ``set_aside`` then names it, for the application to rebuild versions from."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.store.ensure()
        # The player and the sync daemon start together: one of them at a time checks,
        # sets aside and creates the schema (create_all alone races: "already exists").
        with (self.root / ".schema.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.set_aside = set_aside_if_outdated(self.db_path)
            if self.set_aside:
                log.warning("cache database of an older schema moved to %s", self.set_aside)
            self._engine = make_engine(self.db_path)
            self._write_engine = make_engine(self.db_path, for_writes=True)
            create_schema(self._engine)
            stamp_schema_version(self._engine)
            self._sessions = session_factory(self._engine)
            self._write_sessions = session_factory(self._write_engine)
            with self._write_sessions.begin() as s:
                if s.get(LivePointer, POINTER_ID) is None:
                    s.add(LivePointer(id=POINTER_ID, generation=0))
        self._reader = LiveReader(self.db_path, self.store).open()
        return self

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

    def install_version(
        self, version: ContentVersion, now: datetime, *, verify_hashes: bool = False
    ) -> LiveState:
        """Make ``version`` live in ONE transaction, keeping the previous live version.

        Every file the version references must already be in the store under its
        content address with the right size (``verify_hashes`` re-hashes them too);
        otherwise :class:`MissingMediaError` is raised and nothing changes. Versions
        other than the new live and previous ones are deleted in the same transaction.
        """
        needed = {(m.sha256, m.size) for m in version.media}
        missing = [
            sha
            for sha, size in sorted(needed)
            if not (self.store.verify(sha, size) if verify_hashes else self.store.has(sha, size))
        ]
        if missing:
            raise MissingMediaError(
                f"version {version.id}: {len(missing)} media file(s) missing or wrong size, "
                f"first {missing[0]}"
            )
        with self.write_session() as s, s.begin():
            pointer = s.get(LivePointer, POINTER_ID)
            assert pointer is not None
            if pointer.live_version_id == version.id:
                return self._state(pointer, version.etag)
            existing = s.get(ContentVersion, version.id)
            if existing is not None:
                # Coming back to the previous version: reuse its rows.
                existing.etag = version.etag
            else:
                _insert_version_rows(s, version, needed, now)
            old_live = pointer.live_version_id
            pointer.previous_version_id = old_live
            pointer.live_version_id = version.id
            pointer.generation = (pointer.generation or 0) + 1
            pointer.switched_at = now
            s.flush()
            keep = {v for v in (version.id, old_live) if v}
            s.execute(delete(ContentVersion).where(ContentVersion.id.not_in(keep)))
            s.execute(delete(AlertOverlay).where(AlertOverlay.source_version == version.id))
            s.execute(
                MediaFile.__table__.update()
                .where(MediaFile.sha256.in_([sha for sha, _ in needed]))
                .values(problem=None)
            )
            log.info(
                "content version %s is live (previous: %s, generation %d)",
                version.id, old_live, pointer.generation,
            )
            return self._state(pointer, version.etag)

    def set_live_etag(self, etag: str | None) -> None:
        """Remember a new ETag for unchanged live content (the server re-tagged it)."""
        with self.write_session() as s, s.begin():
            pointer = s.get(LivePointer, POINTER_ID)
            if pointer is not None and pointer.live_version_id:
                v = s.get(ContentVersion, pointer.live_version_id)
                if v is not None and v.etag != etag:
                    v.etag = etag

    @staticmethod
    def _state(p: LivePointer, etag: str | None) -> LiveState:
        return LiveState(p.live_version_id, p.previous_version_id, p.generation, p.switched_at, etag)

    # -- reading ---------------------------------------------------------------
    def read_live(self) -> LiveContent | None:
        """The live version as frozen values, or None before the first sync."""
        return self.reader.read_live()

    # -- alert fast lane ---------------------------------------------------------
    def set_alert_overlay(self, source_version: str, alerts: list[Bulletin], now: datetime) -> bool:
        """Show ``alerts`` of a not-yet-live version now; True if what plays changed.

        Bumps the live pointer's generation so the player reloads within its poll.
        """
        data = [_bulletin_to_json(b) for b in alerts]
        with self.write_session() as s, s.begin():
            pointer = s.get(LivePointer, POINTER_ID)
            assert pointer is not None
            row = s.get(AlertOverlay, 1)
            if pointer.live_version_id == source_version:
                if row is not None:
                    s.execute(delete(AlertOverlay).where(AlertOverlay.id == 1))
                    self._bump_generation(s)
                    return True
                return False
            if row is not None and row.bulletins == data and row.source_version == source_version:
                return False
            if row is None:
                live_alerts = [
                    _bulletin_to_json(b)
                    for b in s.scalars(select(Bulletin).where(
                        Bulletin.version_id == pointer.live_version_id).order_by(Bulletin.id))
                    if is_alert(b)
                ]
                if sorted(live_alerts, key=lambda d: d["id"]) == sorted(
                    ({**d, "version_id": pointer.live_version_id} for d in data), key=lambda d: d["id"]
                ):
                    return False  # the same alerts already play
            # Statements, not ORM updates: a version switch may commit between our read and
            # this write (the download job and the poll run in two threads); an upsert and
            # an in-SQL increment cannot lose to it.
            values = {"id": 1, "source_version": source_version, "bulletins": data, "set_at": now}
            s.execute(
                sqlite_insert(AlertOverlay).values(**values)
                .on_conflict_do_update(index_elements=["id"], set_=values)
            )
            self._bump_generation(s)
            log.info("alerts of pending version %s shown ahead of its media (%d alert(s))",
                     source_version, len(data))
            return True

    @staticmethod
    def _bump_generation(s: Session) -> None:
        s.execute(update(LivePointer).where(LivePointer.id == POINTER_ID)
                  .values(generation=LivePointer.generation + 1))

    def record_sync_run(self, run: SyncRunRecord) -> None:
        with self.write_session() as s, s.begin():
            s.add(SyncRun(**run.__dict__))

    def last_sync_runs(self, limit: int = 10) -> list[SyncRunRecord]:
        with self.session() as s:
            rows = s.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit))
            return [
                SyncRunRecord(
                    r.started_at, r.finished_at, r.outcome, r.version_id,
                    r.files_fetched, r.bytes_fetched, r.message,
                )
                for r in rows
            ]


def _insert_version_rows(
    s: Session, version: ContentVersion, needed: set[tuple[str, int]], now: datetime
) -> None:
    """Insert a new version's rows with one executemany per table.

    The unit of work issued a statement (and an autoflush) per object — ~0.2 s for a
    manifest of a few hundred items; the rows and their values are the same.
    """
    shas = [sha for sha, _ in needed]
    known = set(s.scalars(select(MediaFile.sha256).where(MediaFile.sha256.in_(shas)))) if shas else set()
    _bulk_insert(s, MediaFile, [
        {"sha256": sha, "size": size, "verified_at": now} for sha, size in sorted(needed) if sha not in known
    ])
    vid = version.id
    _bulk_insert(s, ContentVersion, [_column_values(version)])
    _bulk_insert(s, VersionMedia, [{**_column_values(m), "version_id": vid} for m in version.media])
    _bulk_insert(s, Bulletin, [{**_column_values(b), "version_id": vid} for b in version.bulletins])
    _bulk_insert(s, Playlist, [{**_column_values(p), "version_id": vid} for p in version.playlists])
    _bulk_insert(s, PlaylistItem, [
        {**_column_values(i), "version_id": vid, "playlist_id": p.id}
        for p in version.playlists for i in p.items
    ])
    _bulk_insert(s, KioskDocument, [{**_column_values(d), "version_id": vid} for d in version.kiosk_documents])


def _column_values(obj: Base) -> dict[str, object]:
    """The column attributes set on a (transient) ORM object; unset ones are left to the
    columns' defaults, as the unit of work does."""
    state = obj.__dict__
    return {c.key: state[c.key] for c in obj.__table__.columns if c.key in state}


def _bulk_insert(s: Session, model: type[Base], rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    # ORM bulk INSERT: a None value is skipped like in a flush (SQL NULL or the column's
    # default, never JSON 'null'); rows are grouped by the keys they set, one executemany each.
    rows.sort(key=lambda r: tuple(k for k, v in r.items() if v is not None))
    s.execute(insert(model), rows)


def _bulletin_to_json(b: Bulletin) -> dict:
    out = {}
    for col in Bulletin.__table__.columns:
        value = getattr(b, col.key)
        out[col.key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



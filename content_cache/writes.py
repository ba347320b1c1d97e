"""The cache's writes of content versions, in SQL on a standard-library sqlite3 connection.

One implementation serves both ways of opening the cache: :class:`ContentCache` (the
SQLAlchemy engine's own DBAPI connections) and :class:`content_cache.light.LightCache`
(sqlite3 alone, for ``kiosk sync --once``, which then never imports SQLAlchemy). Values are
stored exactly as the models' column types store them — JSON text from ``json.dumps``,
naive-UTC ``DATETIME`` text with microseconds, booleans as 0/1 — chosen by each column's
declared type in the one definition of the tables (content_cache.schema), which also
gives the defaults of the columns a row leaves out; a test writes one manifest both ways
and compares every row.

Every write takes SQLite's write lock first (``BEGIN IMMEDIATE``, see content_cache.db):
the player, the sync daemon and a technician's ``kiosk sync --once`` share the file.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from .errors import MissingMediaError, NaiveDatetimeError, UnknownColumn
from .live_read import BUSY_TIMEOUT_MS, POINTER_ID, LiveState, read_live_state, utc
from .schema import BOOLEAN, DATETIME, JSON, TABLES, column_defaults, declared_types
from .snapshot import is_alert

if TYPE_CHECKING:
    from .store import MediaStore

log = logging.getLogger(__name__)

Row = Mapping[str, Any]

# Defaults of the columns a row may leave out, by table (from content_cache.schema).
COLUMN_DEFAULTS: dict[str, dict[str, object]] = {
    t.name: defaults for t in TABLES if (defaults := column_defaults(t.name))
}


@dataclass(frozen=True)
class VersionRows:
    """One content version as the cache's rows (column name → value), before insertion.

    ``version`` is the ``content_version`` row; the others are its child rows without
    ``version_id`` (``items`` carry their ``playlist_id``). Built from a manifest by
    ``sync.to_cache.version_rows``; no SQLAlchemy involved.
    """

    version: Row
    media: tuple[Row, ...] = ()
    bulletins: tuple[Row, ...] = ()
    playlists: tuple[Row, ...] = ()
    items: tuple[Row, ...] = ()
    kiosk_documents: tuple[Row, ...] = ()

    @property
    def id(self) -> str:
        return str(self.version["id"])

    @property
    def etag(self) -> str | None:
        return self.version.get("etag")

    def needed(self) -> set[tuple[str, int]]:
        """(sha256, size) of every file the version plays."""
        return {(m["sha256"], m["size"]) for m in self.media}

    def children(self) -> Iterator[tuple[str, Sequence[Row]]]:
        yield "version_media", self.media
        yield "bulletin", self.bulletins
        yield "playlist", self.playlists
        yield "playlist_item", self.items
        yield "kiosk_document", self.kiosk_documents


@dataclass(frozen=True)
class SyncRunRecord:
    started_at: datetime
    finished_at: datetime
    outcome: str
    version_id: str | None
    files_fetched: int
    bytes_fetched: int
    message: str


def set_connection_pragmas(con: sqlite3.Connection) -> None:
    """What every connection of the cache's writers gets (content_cache.db, .light)."""
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # NORMAL is durable in WAL mode across application crashes; only a power
    # loss can roll back the very last commit, which then simply replays.
    con.execute("PRAGMA synchronous=NORMAL")


# -- values ----------------------------------------------------------------------------
def sql_time(value: datetime) -> str:
    """An aware datetime as the models store it: naive UTC text, microseconds always."""
    if value.tzinfo is None:
        raise NaiveDatetimeError("naive datetime given to the content cache")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def column_types(table: str) -> dict[str, str]:
    """Column name → declared type (``JSON``, ``DATETIME``, ``BOOLEAN``…), in table order."""
    try:
        return declared_types(table)
    except KeyError:
        raise UnknownColumn(f"no table {table!r} in the content cache") from None


def encode(declared: str, value: object) -> object:
    if value is None:
        return None  # SQL NULL, never JSON 'null' (as the models' flushes leave it)
    if declared == JSON:
        return json.dumps(value)
    if declared == DATETIME:
        return sql_time(cast(datetime, value))
    if declared == BOOLEAN:
        return int(bool(value))
    return value


def decode(declared: str, value: object) -> object:
    if value is None:
        return None
    if declared == JSON:
        return json.loads(cast(str, value))
    if declared == DATETIME:
        return utc(cast(str, value))
    if declared == BOOLEAN:
        return bool(value)
    return value


def insert_rows(con: sqlite3.Connection, table: str, rows: Sequence[Row], **common: object) -> None:
    """One executemany of ``rows`` (plus ``common`` values) into ``table``; a column a row
    leaves out takes its default (:data:`COLUMN_DEFAULTS`) or NULL."""
    if not rows:
        return
    types = column_types(table)
    defaults = COLUMN_DEFAULTS.get(table, {})
    unknown = {k for r in rows for k in r} - types.keys()  # a typo must not drop a value
    if unknown:
        raise UnknownColumn(f"{table}: no column {sorted(unknown)[0]!r}")
    given = {k for r in rows for k in r} | common.keys() | defaults.keys()
    cols = [c for c in types if c in given]  # an autoincrement id left out is numbered
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"

    def values(r: Row) -> tuple[object, ...]:
        merged = {**r, **common}
        return tuple(
            encode(types[c], merged[c] if merged.get(c) is not None else defaults.get(c)) for c in cols
        )

    con.executemany(sql, [values(r) for r in rows])


def select_rows(con: sqlite3.Connection, table: str, where: str = "", params: Sequence[object] = ()) -> list[dict]:
    """Rows of ``table`` decoded to the values the models give (aware datetimes, JSON)."""
    types = column_types(table)
    cur = con.execute(f"SELECT {', '.join(types)} FROM {table} {where}", params)
    return [{c: decode(types[c], v) for c, v in zip(types, row, strict=False)} for row in cur]


def bulletin_json(b: object, columns: Iterable[str]) -> dict[str, object]:
    """A bulletin (a row mapping or a models.Bulletin) as the alert overlay stores it: its
    ``columns``, JSON values, times as ISO text in UTC."""
    get = b.get if isinstance(b, Mapping) else (lambda k: getattr(b, k, None))
    out: dict[str, object] = {}
    for col in columns:
        value = get(col)
        out[col] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    return out


@contextmanager
def immediate(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction that holds SQLite's write lock from its start.
    ``con`` is in autocommit mode (``isolation_level=None``)."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def in_json(values: Sequence[object]) -> str:
    """``IN (SELECT value FROM json_each(?))``'s one parameter: any number of values."""
    return json.dumps(list(values))


# -- the writes ------------------------------------------------------------------------
class VersionWrites:
    """Content-version writes of the cache; needs ``store``, and ``_sql()``: a context
    manager giving a sqlite3 connection of the cache's database in autocommit mode, with
    the cache's pragmas (WAL, foreign keys, busy timeout)."""

    store: MediaStore

    def _sql(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _version_rows(self, version: Any) -> VersionRows:
        """``version`` as :class:`VersionRows` (ContentCache also takes ORM objects)."""
        return version

    def live_state(self) -> LiveState:
        with self._sql() as con:
            return read_live_state(con)

    def install_version(self, version: VersionRows, now: datetime, *, verify_hashes: bool = False) -> LiveState:
        """Make ``version`` live in ONE transaction, keeping the previous live version.

        Every file the version references must already be in the store under its
        content address with the right size (``verify_hashes`` re-hashes them too);
        otherwise :class:`MissingMediaError` is raised and nothing changes. Versions
        other than the new live and previous ones are deleted in the same transaction.
        """
        rows = self._version_rows(version)
        needed = rows.needed()
        missing = [
            sha
            for sha, size in sorted(needed)
            if not (self.store.verify(sha, size) if verify_hashes else self.store.has(sha, size))
        ]
        if missing:
            raise MissingMediaError(
                f"version {rows.id}: {len(missing)} media file(s) missing or wrong size, "
                f"first {missing[0]}"
            )
        with self._sql() as con, immediate(con):
            old_live, _previous, generation, switched_at = con.execute(
                "SELECT live_version_id, previous_version_id, generation, switched_at"
                " FROM live_pointer WHERE id = ?", (POINTER_ID,)
            ).fetchone()
            if old_live == rows.id:
                return LiveState(old_live, _previous, generation or 0, utc(switched_at), rows.etag)
            if con.execute("SELECT 1 FROM content_version WHERE id = ?", (rows.id,)).fetchone():
                # Coming back to the previous version: reuse its rows.
                con.execute("UPDATE content_version SET etag = ? WHERE id = ?", (rows.etag, rows.id))
            else:
                _insert_version(con, rows, needed, now)
            generation = (generation or 0) + 1
            con.execute(
                "UPDATE live_pointer SET previous_version_id = ?, live_version_id = ?, generation = ?,"
                " switched_at = ? WHERE id = ?",
                (old_live, rows.id, generation, sql_time(now), POINTER_ID),
            )
            keep = [v for v in (rows.id, old_live) if v]
            con.execute("DELETE FROM content_version WHERE id NOT IN (SELECT value FROM json_each(?))",
                        (in_json(keep),))
            con.execute("DELETE FROM alert_overlay WHERE source_version = ?", (rows.id,))
            con.execute("UPDATE media_file SET problem = NULL WHERE problem IS NOT NULL"
                        " AND sha256 IN (SELECT value FROM json_each(?))", (in_json([s for s, _ in needed]),))
        log.info("content version %s is live (previous: %s, generation %d)", rows.id, old_live, generation)
        return LiveState(rows.id, old_live, generation, now, rows.etag)

    def set_live_etag(self, etag: str | None) -> None:
        """Remember a new ETag for unchanged live content (the server re-tagged it)."""
        with self._sql() as con, immediate(con):
            con.execute(
                "UPDATE content_version SET etag = ? WHERE etag IS NOT ?"
                " AND id = (SELECT live_version_id FROM live_pointer WHERE id = ?)",
                (etag, etag, POINTER_ID),
            )

    def set_alert_overlay(self, source_version: str, alerts: Sequence[object], now: datetime) -> bool:
        """Show ``alerts`` (bulletin rows) of a not-yet-live version now; True if what
        plays changed. Bumps the live pointer's generation so the player reloads."""
        with self._sql() as con, immediate(con):
            columns = column_types("bulletin")
            data = [bulletin_json(b, columns) for b in alerts]
            live = con.execute("SELECT live_version_id FROM live_pointer WHERE id = ?", (POINTER_ID,)).fetchone()[0]
            row = con.execute("SELECT source_version, bulletins FROM alert_overlay WHERE id = 1").fetchone()
            if live == source_version:
                if row is not None:
                    con.execute("DELETE FROM alert_overlay WHERE id = 1")
                    _bump_generation(con)
                    return True
                return False
            if row is not None and row[0] == source_version and json.loads(row[1]) == data:
                return False
            if row is None:
                live_alerts = [
                    bulletin_json(b, columns)
                    for b in select_rows(con, "bulletin", "WHERE version_id = ? ORDER BY id", (live,))
                    if is_alert(b)
                ]
                if sorted(live_alerts, key=_bulletin_id) == sorted(
                    ({**d, "version_id": live} for d in data), key=_bulletin_id
                ):
                    return False  # the same alerts already play
            con.execute(
                "INSERT INTO alert_overlay (id, source_version, bulletins, set_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET source_version = excluded.source_version,"
                " bulletins = excluded.bulletins, set_at = excluded.set_at",
                (source_version, json.dumps(data), sql_time(now)),
            )
            _bump_generation(con)
        log.info("alerts of pending version %s shown ahead of its media (%d alert(s))",
                 source_version, len(data))
        return True

    def record_sync_run(self, run: SyncRunRecord) -> None:
        with self._sql() as con, immediate(con):
            insert_rows(con, "sync_run", [run.__dict__])


def _bulletin_id(bulletin: Mapping[str, object]) -> str:
    return str(bulletin["id"])


def _bump_generation(con: sqlite3.Connection) -> None:
    # In SQL, not read-modify-write: a version switch may commit between two threads' reads.
    con.execute("UPDATE live_pointer SET generation = generation + 1 WHERE id = ?", (POINTER_ID,))


def _insert_version(con: sqlite3.Connection, rows: VersionRows, needed: set[tuple[str, int]], now: datetime) -> None:
    """A new version's rows, one executemany per table."""
    known = {r[0] for r in con.execute(
        "SELECT sha256 FROM media_file WHERE sha256 IN (SELECT value FROM json_each(?))",
        (in_json([sha for sha, _ in needed]),),
    )}
    insert_rows(con, "media_file", [
        {"sha256": sha, "size": size, "verified_at": now} for sha, size in sorted(needed) if sha not in known
    ])
    insert_rows(con, "content_version", [rows.version])
    for table, children in rows.children():
        insert_rows(con, table, children, version_id=rows.id)

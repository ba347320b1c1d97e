"""What ``kiosk status`` reports of the cache, read without writing a byte.

The full cache (:class:`content_cache.ContentCache`) creates what is missing when it
opens: a technician's look must not, and must work where nothing can be written — a
full disk, a read-only folder — or where the database is damaged (then it says so). The
standard sqlite3 only, on the live content's reader (content_cache.live_read), which
falls back to an immutable snapshot when nothing may be written beside the file.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .damage import database_damage
from .faults import is_damage
from .live_read import DB_NAME, LiveReader, LiveState, SchemaMismatch
from .snapshot import LiveContent
from .store import MediaStore
from .writes import SyncRunRecord, select_rows

DROPPED_COUNTER = "outbox_dropped"  # as content_cache.outbox counts them


@dataclass(frozen=True)
class CacheReport:
    """The cache as a technician sees it; ``problem`` says why parts are missing."""

    exists: bool
    state: LiveState | None = None
    last_run: SyncRunRecord | None = None
    media_problems: dict[str, str] = field(default_factory=dict)
    outbox_waiting: int = 0
    outbox_dropped: int = 0
    cache_bytes: int = 0
    live: LiveContent | None = None
    problem: str | None = None
    snapshot: bool = False  # read as an immutable snapshot (nothing writable beside it)


def read_report(cache_root: Path) -> CacheReport:
    """Everything ``kiosk status`` shows of the cache at ``cache_root``; never writes."""
    db = cache_root / DB_NAME
    store = MediaStore(cache_root / "media")
    if not db.exists():
        return CacheReport(exists=False)
    size = _bytes_used(store)
    try:
        damage = database_damage(db)
    except sqlite3.Error:  # cannot even be checked that way (read-only, full): read what can be
        damage = None
    problem = _damaged(db, damage) if damage else None
    reader = LiveReader(db, store)
    try:
        reader.open()
    except SchemaMismatch as e:
        return CacheReport(True, cache_bytes=size, problem=problem or f"{e} (the sync rebuilds it)")
    except sqlite3.Error as e:
        return CacheReport(True, cache_bytes=size, problem=problem or _why(db, e))
    try:
        con = reader.con
        runs = select_rows(con, "sync_run", "ORDER BY id DESC LIMIT 1")
        last = SyncRunRecord(**{k: runs[0][k] for k in SyncRunRecord.__dataclass_fields__}) if runs else None
        problems = dict(con.execute("SELECT sha256, problem FROM media_file WHERE problem IS NOT NULL").fetchall())
        waiting = con.execute("SELECT count(*) FROM outbox").fetchone()[0]
        dropped = con.execute("SELECT value FROM counter WHERE name = ?", (DROPPED_COUNTER,)).fetchone()
        state = reader.live_state()
        live = reader.read_live()
    except sqlite3.Error as e:
        return CacheReport(True, cache_bytes=size, problem=problem or _why(db, e), snapshot=reader.snapshot)
    finally:
        reader.close()
    return CacheReport(True, state, last, problems, waiting, dropped[0] if dropped else 0, size, live,
                       problem=problem, snapshot=reader.snapshot)


def _damaged(db: Path, why: str) -> str:
    return f"cache database {db} is damaged ({why}); the sync sets it aside and rebuilds it"


def _why(db: Path, e: sqlite3.Error) -> str:
    return _damaged(db, str(e)) if is_damage(e) else f"cache database {db} cannot be read: {e}"


def _bytes_used(store: MediaStore) -> int:
    try:
        return store.bytes_used()
    except OSError:
        return 0

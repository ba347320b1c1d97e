"""A damaged cache database: found at open, set aside for a technician, rebuilt.

A database file cut short by a full card, overwritten by a stray copy, or with pages of
garbage after a power cut makes SQLite say "file is not a database" or "database disk
image is malformed" — at open, or only when a damaged page is read. The writers check
the file when they open it (:func:`database_damage`: opening it, then ``PRAGMA
quick_check``, about a millisecond for a typical cache); a damaged file is moved aside
with its ``-wal`` and ``-shm`` (:func:`set_aside_damaged`), kept for a technician — the
newest few, older ones are deleted — and the application rebuilds the live and previous
versions from the kept manifests and the media store, as after a schema upgrade
(kiosk.device.cache, sync.restore).
"""
from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .errors import DamagedDatabase
from .faults import is_damage

log = logging.getLogger(__name__)

KEEP_DAMAGED = 2  # damaged copies kept beside the cache (each may be as big as the database)
_SUFFIXES = ("", "-wal", "-shm")


def database_damage(db_path: Path) -> str | None:
    """Why ``db_path`` is damaged (SQLite's words), or None: healthy, empty or absent.

    Only damage is reported: a locked, full or read-only database raises as it is.
    """
    try:
        if db_path.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    try:
        con = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as e:
        if is_damage(e):
            return str(e)
        raise
    try:
        rows = [r[0] for r in con.execute("PRAGMA quick_check(10)").fetchall()]
    except sqlite3.Error as e:
        if is_damage(e):
            return str(e)
        raise
    finally:
        con.close()
    if rows == ["ok"]:
        return None
    # One line: quick_check's rows may hold several lines each ("*** in database main ***")
    problems = [line.strip() for row in rows for line in str(row).splitlines()
                if line.strip() and not line.startswith("***")]
    if not problems:
        return "quick_check found problems"
    more = f" (and {len(problems) - 2} more)" if len(problems) > 2 else ""
    return "quick_check: " + "; ".join(problems[:2]) + more


def set_aside_damaged(db_path: Path, reason: str, now: datetime | None = None) -> Path:
    """Move a damaged database (and its -wal and -shm) aside; returns where it went.

    Renames only: it works on a full disk. Copies beyond the newest :data:`KEEP_DAMAGED`
    are deleted.
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}-{n}")
    for suffix in _SUFFIXES:
        src = Path(str(db_path) + suffix)
        if src.exists():
            src.replace(Path(str(aside) + suffix))
    log.warning("cache database damaged (%s): moved to %s for a technician; rebuilding it from the "
                "kept manifests and the media store", reason, aside)
    _prune(db_path)
    return aside


def _prune(db_path: Path) -> None:
    copies = sorted(db_path.parent.glob(f"{db_path.name}.damaged-*[0-9Z]"))  # by the time in the name
    for old in copies[:-KEEP_DAMAGED]:
        for suffix in _SUFFIXES:
            Path(str(old) + suffix).unlink(missing_ok=True)


def damaged(db_path: Path, reason: str) -> DamagedDatabase:
    """The error of a damaged database that this process does not rebuild itself."""
    return DamagedDatabase(f"cache database {db_path} is damaged ({reason}); the sync sets it aside "
                           "and rebuilds it from the kept manifests")

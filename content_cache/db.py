"""Engine factory for the content cache.

Every connection gets WAL journaling, foreign keys and a busy timeout, because the
player and the sync daemon are two processes sharing one SQLite file: the player reads
while sync writes, and neither may fail on a short lock.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from .models import metadata
from .schema import SCHEMA_VERSION
from .writes import set_connection_pragmas


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    set_connection_pragmas(dbapi_conn)


def make_engine(db_path: Path | str, *, for_writes: bool = False) -> Engine:
    """Return an engine on ``db_path`` with the cache's pragmas set on every connection.

    ``for_writes``: transactions start with BEGIN IMMEDIATE, taking SQLite's write lock
    up front. Two processes (player, sync daemon) and two sync threads write the same
    file; a deferred transaction that reads then writes could otherwise find its snapshot
    stale and fail at once, busy timeout or not.
    """
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    if for_writes:
        event.listen(engine, "connect", _manual_transactions)
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _manual_transactions(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # pysqlite must not issue its own BEGIN


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_schema(engine: Engine) -> None:
    """Create missing tables (idempotent)."""
    metadata.create_all(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


# SCHEMA_VERSION (defined in content_cache.schema, which imports no SQLAlchemy): bump
# it when a table or column changes. An older database is set aside (not migrated in
# place) and the application rebuilds the live and previous versions from the manifests
# kept beside it, with the media already in the store: a software upgrade never leaves
# a screen without content, even offline.


def set_aside_if_outdated(db_path: Path) -> Path | None:
    """Move a database of another schema version aside; returns where it went."""
    if not db_path.exists():
        return None
    con = sqlite3.connect(db_path)
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        has_tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0] > 0
    finally:
        con.close()
    if version == SCHEMA_VERSION or not has_tables:
        return None
    aside = db_path.with_name(f"{db_path.name}.schema{version}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(db_path) + suffix)
        if src.exists():
            src.replace(Path(str(aside) + suffix))
    return aside


def stamp_schema_version(engine: Engine) -> None:
    """Write the schema version, only if the file does not have it yet: opening the cache
    writes nothing otherwise, and a full disk can still be read."""
    with engine.connect() as conn:
        if conn.exec_driver_sql("PRAGMA user_version").scalar() == SCHEMA_VERSION:
            return
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")

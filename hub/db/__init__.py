"""The hub's database: SQLite in the hub's data folder by default, PostgreSQL by URL.

Run by the hub's processes (``kiosk hub serve`` and its gunicorn workers, ``kiosk hub
migrate``, ``create-admin``, ``enrol-code``). Nothing is opened at import time: a
:class:`Database` is made from a URL and gives sessions; the schema is only ever changed by
the Alembic revisions shipped in ``hub/db/migrations`` (:func:`migrate`).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DB_NAME = "hub.sqlite"


class DatabaseError(Exception):
    """The database URL is wrong or the database cannot be reached (one line)."""


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DB_NAME).resolve()}"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here; SQLite URLs pass through."""
    try:
        u = make_url(url)
    except Exception:
        raise DatabaseError(f"{_safe(url)}: not a database URL (e.g. postgresql://hub@/hub or sqlite:///…)") from None
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.drivername not in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        raise DatabaseError(f"{_safe(url)}: only SQLite and PostgreSQL (psycopg) are supported")
    return u.render_as_string(hide_password=False)


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the database URL"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Database:
    """An engine and its session factory; one per process (each gunicorn worker its own)."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        kw: dict[str, Any] = {"future": True}
        if self.url.startswith("sqlite"):
            kw["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            # Connections are recycled rather than pinged before each use: a ping is one more
            # round trip on every request (a device poll is one indexed SELECT).
            kw.update(pool_size=10, max_overflow=10, pool_recycle=1800)
        self.engine: Engine = create_engine(self.url, **kw)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self.sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends normally, rolls back otherwise."""
        with self.sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def safe_url(self) -> str:
        return _safe(self.url)


def alembic_config(db: Database) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    return cfg


def migrate(db: Database) -> list[str]:
    """Bring the schema to the newest revision; returns the revisions applied (may be none)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config(db)
    script = ScriptDirectory.from_config(cfg)
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    todo = [r.revision for r in script.iterate_revisions("heads", current)][::-1]
    if todo:
        command.upgrade(cfg, "head")
        log.info("database %s migrated: %s", db.safe_url, ", ".join(todo))
    return todo


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head

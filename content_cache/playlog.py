"""The device's own play log: what was shown and what was withheld, kept for months.

The outbox forgets a record once uploaded (and drops the oldest when full); this log is
the device's evidence for the election-period reports (``kiosk report``), so it lives
in its own SQLite file beside the cache (``plays.sqlite``): a cache schema upgrade that
sets the cache aside never touches it, and it keeps rows for ``retention_days`` (400 by
default: six months before a reserve period, the period itself, and the weeks of a
contest after the vote).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import JSON, CursorResult, Date, Float, Index, Integer, Result, String, UniqueConstraint, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .db import make_engine, session_factory
from .models import UtcDateTime

log = logging.getLogger(__name__)

PLAY_LOG_FILE = "plays.sqlite"
DEFAULT_RETENTION_DAYS = 400


class _Base(DeclarativeBase):
    pass


class _Play(_Base):
    __tablename__ = "play"
    __table_args__ = (Index("ix_play_start", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(255), default="")
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    content_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_s: Mapped[float] = mapped_column(Float)


class _Withheld(_Base):
    __tablename__ = "withheld"
    __table_args__ = (UniqueConstraint("content_version", "surface", "item_id", "reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    content_version: Mapped[str] = mapped_column(String(64))
    surface: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(255), default="")
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    elections: Mapped[str] = mapped_column(String(500), default="")
    first_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_at: Mapped[datetime] = mapped_column(UtcDateTime())


class _Election(_Base):
    __tablename__ = "election"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    first_round: Mapped[date] = mapped_column(Date)
    last_round: Mapped[date] = mapped_column(Date)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


def _count(result: Result[Any]) -> int:
    """Rows a DELETE removed (its result is a CursorResult, which has them)."""
    return cast(CursorResult[Any], result).rowcount or 0


@dataclass(frozen=True)
class PlayRecord:
    item_id: str
    kind: str
    start: datetime
    duration_s: float
    content_version: str | None = None
    label: str = ""
    category: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class WithheldRecord:
    content_version: str
    surface: str  # "signage" or a kiosk section
    item_id: str
    reason: str  # "tag" | "link" | "category"
    detail: str
    first_at: datetime
    last_at: datetime
    label: str = ""
    category: str | None = None
    tags: tuple[str, ...] = ()
    elections: str = ""


@dataclass(frozen=True)
class ElectionRecord:
    name: str
    first_round: date
    last_round: date


class PlayLog:
    """Append plays, note withheld things, answer the reports' queries."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._engine = make_engine(self.path, for_writes=True)
        _Base.metadata.create_all(self._engine)
        self._session = session_factory(self._engine)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> PlayLog:
        return cls(Path(data_dir) / PLAY_LOG_FILE)

    def close(self) -> None:
        self._engine.dispose()

    # -- writing -----------------------------------------------------------------------
    def add_play(self, play: PlayRecord) -> None:
        with self._session() as s, s.begin():
            s.add(_Play(item_id=play.item_id, kind=play.kind, label=play.label[:255],
                        category=play.category, tags=list(play.tags),
                        content_version=play.content_version, start=play.start,
                        duration_s=play.duration_s))

    def add_plays(self, plays: Iterable[PlayRecord]) -> int:
        rows = [dict(item_id=p.item_id, kind=p.kind, label=p.label[:255], category=p.category,
                     tags=list(p.tags), content_version=p.content_version, start=p.start,
                     duration_s=p.duration_s) for p in plays]
        if rows:
            with self._session() as s, s.begin():
                s.execute(_Base.metadata.tables[_Play.__tablename__].insert(), rows)
        return len(rows)

    def note_withheld(self, records: Sequence[WithheldRecord]) -> None:
        """Insert new withheld things; for known ones move ``last_at`` forward."""
        if not records:
            return
        with self._session() as s, s.begin():
            for r in records:
                row = s.scalars(select(_Withheld).where(
                    _Withheld.content_version == r.content_version, _Withheld.surface == r.surface,
                    _Withheld.item_id == r.item_id, _Withheld.reason == r.reason)).one_or_none()
                if row is None:
                    s.add(_Withheld(content_version=r.content_version, surface=r.surface,
                                    item_id=r.item_id, reason=r.reason, detail=r.detail[:255],
                                    label=r.label[:255], category=r.category, tags=list(r.tags),
                                    elections=r.elections[:500], first_at=r.first_at,
                                    last_at=r.last_at))
                elif r.last_at > row.last_at:
                    row.last_at = r.last_at

    def note_elections(self, elections: Iterable[ElectionRecord], now: datetime) -> None:
        """Remember elections seen in the content, so a report still finds one after
        the town removed it from the manifest."""
        with self._session() as s, s.begin():
            for e in elections:
                row = s.get(_Election, e.name)
                if row is None:
                    s.add(_Election(name=e.name, first_round=e.first_round,
                                    last_round=e.last_round, seen_at=now))
                elif (row.first_round, row.last_round) != (e.first_round, e.last_round):
                    row.first_round, row.last_round, row.seen_at = e.first_round, e.last_round, now

    def prune(self, now: datetime, retention_days: int = DEFAULT_RETENTION_DAYS) -> int:
        """Forget plays and withheld notes older than ``retention_days``; returns rows removed."""
        cutoff = now - timedelta(days=retention_days)
        with self._session() as s, s.begin():
            n = _count(s.execute(delete(_Play).where(_Play.start < cutoff)))
            n += _count(s.execute(delete(_Withheld).where(_Withheld.last_at < cutoff)))
        if n:
            log.info("play log: %d record(s) older than %d days removed", n, retention_days)
        return n

    # -- reading -----------------------------------------------------------------------
    def plays(self, start: datetime | None = None, end: datetime | None = None) -> list[PlayRecord]:
        """Plays that started in [start, end), oldest first."""
        q = select(_Play).order_by(_Play.start, _Play.id)
        if start is not None:
            q = q.where(_Play.start >= start)
        if end is not None:
            q = q.where(_Play.start < end)
        with self._session() as s:
            return [PlayRecord(r.item_id, r.kind, r.start, r.duration_s, r.content_version,
                               r.label, r.category, tuple(r.tags or ())) for r in s.scalars(q)]

    def first_play(self) -> datetime | None:
        with self._session() as s:
            return s.scalar(select(_Play.start).order_by(_Play.start).limit(1))

    def withheld(self, start: datetime | None = None, end: datetime | None = None) -> list[WithheldRecord]:
        """Withheld things seen at some time in [start, end), first seen first."""
        q = select(_Withheld).order_by(_Withheld.first_at, _Withheld.surface, _Withheld.item_id)
        if start is not None:
            q = q.where(_Withheld.last_at >= start)
        if end is not None:
            q = q.where(_Withheld.first_at < end)
        with self._session() as s:
            return [WithheldRecord(r.content_version, r.surface, r.item_id, r.reason, r.detail,
                                   r.first_at, r.last_at, r.label, r.category, tuple(r.tags or ()),
                                   r.elections) for r in s.scalars(q)]

    def elections(self) -> list[ElectionRecord]:
        with self._session() as s:
            return [ElectionRecord(r.name, r.first_round, r.last_round)
                    for r in s.scalars(select(_Election).order_by(_Election.first_round))]

"""The outbox: records waiting for upload (proof of play, heartbeats), in SQLite.

It survives restarts and power cuts, never grows past ``max_rows`` (the oldest records
are dropped and counted), and gives every record an idempotency key so a batch sent
twice (an upload whose answer was lost) is recorded once by the server.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from .cache import ContentCache
from .models import Counter, OutboxEntry

log = logging.getLogger(__name__)

DROPPED_COUNTER = "outbox_dropped"


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    kind: str
    idempotency_key: str
    created_at: datetime
    payload: Mapping[str, Any]


class Outbox:
    def __init__(self, cache: ContentCache, max_rows: int = 20_000) -> None:
        self.cache = cache
        self.max_rows = max_rows

    def put(self, kind: str, payload: Mapping[str, Any], now: datetime, key: str | None = None,
            keep_of_kind: int | None = None) -> None:
        """Queue one record; drops (and counts) the oldest when the outbox is full.

        ``keep_of_kind``: at most that many records of this kind wait; older ones of the
        kind go in the same transaction, uncounted — they are superseded (state reports,
        screenshots), not lost like proof of play.
        """
        with self.cache.write_session() as s, s.begin():
            s.add(OutboxEntry(kind=kind, idempotency_key=key or uuid.uuid4().hex,
                              created_at=now, payload=dict(payload)))
            s.flush()
            if keep_of_kind is not None:
                older = (select(OutboxEntry.id).where(OutboxEntry.kind == kind).order_by(OutboxEntry.id.desc())
                         .offset(keep_of_kind).scalar_subquery())
                s.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(older)))
            count = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
            excess = count - self.max_rows
            if excess > 0:
                oldest = select(OutboxEntry.id).order_by(OutboxEntry.id).limit(excess).scalar_subquery()
                s.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(oldest)))
                counter = s.get(Counter, DROPPED_COUNTER)
                if counter is None:
                    s.add(Counter(name=DROPPED_COUNTER, value=excess))
                else:
                    counter.value += excess

    def batch(self, limit: int = 200) -> list[OutboxRecord]:
        with self.cache.session() as s:
            rows = s.scalars(select(OutboxEntry).order_by(OutboxEntry.id).limit(limit)).all()
            return [OutboxRecord(r.id, r.kind, r.idempotency_key, r.created_at, r.payload) for r in rows]

    def remove(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        with self.cache.write_session() as s, s.begin():
            s.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(list(ids))))

    def size(self) -> int:
        with self.cache.session() as s:
            return s.scalar(select(func.count()).select_from(OutboxEntry)) or 0

    def dropped(self) -> int:
        with self.cache.session() as s:
            c = s.get(Counter, DROPPED_COUNTER)
            return c.value if c else 0

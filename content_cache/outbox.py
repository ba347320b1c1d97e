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

from sqlalchemy import delete, func, insert, select, update

from .cache import ContentCache
from .models import SA_TABLES

log = logging.getLogger(__name__)

DROPPED_COUNTER = "outbox_dropped"
_OUTBOX, _COUNTER = SA_TABLES["outbox"], SA_TABLES["counter"]


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
            s.execute(insert(_OUTBOX).values(kind=kind, idempotency_key=key or uuid.uuid4().hex,
                                             created_at=now, payload=dict(payload)))
            if keep_of_kind is not None:
                older = (select(_OUTBOX.c.id).where(_OUTBOX.c.kind == kind).order_by(_OUTBOX.c.id.desc())
                         .offset(keep_of_kind).scalar_subquery())
                s.execute(delete(_OUTBOX).where(_OUTBOX.c.id.in_(older)))
            count = s.scalar(select(func.count()).select_from(_OUTBOX)) or 0
            excess = count - self.max_rows
            if excess > 0:
                oldest = select(_OUTBOX.c.id).order_by(_OUTBOX.c.id).limit(excess).scalar_subquery()
                s.execute(delete(_OUTBOX).where(_OUTBOX.c.id.in_(oldest)))
                counted = _COUNTER.c.name == DROPPED_COUNTER
                if s.scalar(select(_COUNTER.c.value).where(counted)) is None:
                    s.execute(insert(_COUNTER).values(name=DROPPED_COUNTER, value=excess))
                else:
                    s.execute(update(_COUNTER).where(counted).values(value=_COUNTER.c.value + excess))

    def batch(self, limit: int = 200) -> list[OutboxRecord]:
        with self.cache.session() as s:
            rows = s.execute(select(_OUTBOX).order_by(_OUTBOX.c.id).limit(limit)).all()
            return [OutboxRecord(r.id, r.kind, r.idempotency_key, r.created_at, r.payload) for r in rows]

    def remove(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        with self.cache.write_session() as s, s.begin():
            s.execute(delete(_OUTBOX).where(_OUTBOX.c.id.in_(list(ids))))

    def size(self) -> int:
        with self.cache.session() as s:
            return s.scalar(select(func.count()).select_from(_OUTBOX)) or 0

    def dropped(self) -> int:
        with self.cache.session() as s:
            return s.scalar(select(_COUNTER.c.value).where(_COUNTER.c.name == DROPPED_COUNTER)) or 0

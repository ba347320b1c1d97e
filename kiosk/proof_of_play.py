"""Proof of play: each item shown (item, content version, start, duration) into the outbox.

Written when a slide leaves the screen, so the duration is what was really shown. The
sync daemon uploads the outbox; the election-period reports read the same records.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from content_cache import ContentCache, Outbox

log = logging.getLogger(__name__)


@dataclass
class _Showing:
    item_id: str
    kind: str
    version: str | None
    started_at: datetime
    started_mono: float


class ProofOfPlay:
    def __init__(self, cache: ContentCache, now: callable) -> None:  # type: ignore[valid-type]
        self.outbox = Outbox(cache)
        self.now = now
        self._current: _Showing | None = None
        self._failed = False

    def started(self, item_id: str, kind: str, version: str | None) -> None:
        self.ended()
        self._current = _Showing(item_id, kind, version, self.now(), time.monotonic())

    def ended(self) -> None:
        cur, self._current = self._current, None
        if cur is None or cur.kind in ("waiting", "fallback", "test-card"):
            return
        record = {
            "item": cur.item_id,
            "kind": cur.kind,
            "content_version": cur.version,
            "start": cur.started_at.isoformat(),
            "duration_s": round(time.monotonic() - cur.started_mono, 2),
        }
        try:
            self.outbox.put("play", record, self.now())
            self._failed = False
        except Exception as e:  # the screen matters more than the record; say so once
            if not self._failed:
                log.warning("proof of play not recorded: %s", e)
            self._failed = True

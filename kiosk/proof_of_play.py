"""Proof of play: each item shown (item, content version, start, duration) into the outbox
for upload, and into the device's own play log for the election-period reports.

Written when a slide leaves the screen, so the duration is what was really shown. What
the neutrality policy withholds is noted in the play log too (once per item and content
version, its "last seen" moved forward at most every few minutes).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from content_cache import ContentCache, Outbox
from content_cache.playlog import (
    DEFAULT_RETENTION_DAYS,
    ElectionRecord,
    PlayLog,
    PlayRecord,
    WithheldRecord,
)
from player.neutrality import Election, ReservePeriod, Withheld

log = logging.getLogger(__name__)

NOT_PLAYS = ("waiting", "fallback", "test-card")
WITHHELD_REFRESH = timedelta(minutes=10)
PRUNE_EVERY = timedelta(days=1)


@dataclass
class _Showing:
    item_id: str
    kind: str
    version: str | None
    started_at: datetime
    started_mono: float
    label: str
    category: str | None
    tags: tuple[str, ...]


class ProofOfPlay:
    def __init__(self, cache: ContentCache, now: Callable[[], datetime], *,
                 data_dir: Path | None = None, retention_days: int = DEFAULT_RETENTION_DAYS,
                 record: bool = True) -> None:
        """``record=False`` (a preview at another date): nothing is written anywhere."""
        self.record = record
        self.outbox = Outbox(cache)
        self.now = now
        self.retention_days = retention_days
        self.play_log: PlayLog | None = None
        if data_dir is not None and record:
            try:
                self.play_log = PlayLog.in_data_dir(data_dir)
            except Exception as e:  # the screen matters more than the log; say so once
                log.warning("play log unavailable, reports will miss this run: %s", e)
        self._current: _Showing | None = None
        self._failed: set[str] = set()
        self._withheld_noted: dict[tuple[str, str, str], datetime] = {}
        self._elections_noted: tuple[Election, ...] | None = None
        self._pruned_at: datetime | None = None

    def started(self, item_id: str, kind: str, version: str | None, *, label: str = "",
                category: str | None = None, tags: Iterable[str] = ()) -> None:
        self.ended()
        self._current = _Showing(item_id, kind, version, self.now(), time.monotonic(),
                                 label, category, tuple(sorted(tags)))

    def ended(self) -> None:
        cur, self._current = self._current, None
        if cur is None or cur.kind in NOT_PLAYS or not self.record:
            return
        duration = round(time.monotonic() - cur.started_mono, 2)
        record = {
            "item": cur.item_id,
            "kind": cur.kind,
            "content_version": cur.version,
            "start": cur.started_at.isoformat(),
            "duration_s": duration,
        }
        if cur.tags:
            record["tags"] = list(cur.tags)
        if cur.category:
            record["category"] = cur.category
        self._guarded("outbox", lambda: self.outbox.put("play", record, self.now()))
        if self.play_log is not None:
            play = PlayRecord(cur.item_id, cur.kind, cur.started_at, duration, cur.version,
                              cur.label, cur.category, cur.tags)
            self._guarded("play log", lambda: self.play_log.add_play(play))  # type: ignore[union-attr]
            self._prune_daily()

    def withheld(self, version: str, period: ReservePeriod | None, items: Iterable[Withheld]) -> None:
        """Note what the reserve period keeps off the screen now."""
        if self.play_log is None or period is None:
            return
        now = self.now()
        fresh = []
        for w in items:
            key = (version, w.surface, w.item_id)
            seen = self._withheld_noted.get(key)
            if seen is not None and now - seen < WITHHELD_REFRESH:
                continue
            self._withheld_noted[key] = now
            fresh.append(WithheldRecord(version, w.surface, w.item_id, w.reason, w.detail, now, now,
                                        w.label, w.category, w.tags, period.names))
        if fresh:
            self._guarded("play log", lambda: self.play_log.note_withheld(fresh))  # type: ignore[union-attr]

    def elections(self, elections: tuple[Election, ...]) -> None:
        """Remember the content's elections (reports still find one the town removed)."""
        if self.play_log is None or elections == self._elections_noted:
            return
        self._elections_noted = elections
        records = [ElectionRecord(e.name, e.first_round, e.last_round) for e in elections]
        self._guarded("play log", lambda: self.play_log.note_elections(records, self.now()))  # type: ignore[union-attr]

    def close(self) -> None:
        self.ended()
        if self.play_log is not None:
            self.play_log.close()

    def _prune_daily(self) -> None:
        now = self.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        self._guarded("play log", lambda: self.play_log.prune(now, self.retention_days))  # type: ignore[union-attr]

    def _guarded(self, what: str, write: Callable[[], object]) -> None:
        try:
            write()
            self._failed.discard(what)
        except Exception as e:  # the screen matters more than the record; say so once
            if what not in self._failed:
                log.warning("proof of play not recorded in the %s: %s", what, e)
            self._failed.add(what)

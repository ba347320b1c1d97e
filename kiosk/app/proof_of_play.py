"""Proof of play: each item shown (item, content version, start, duration) into the outbox
for upload, and into the device's own play log for the election-period reports.

Written when a slide leaves the screen, so the duration is what was really shown. What
the neutrality policy withholds is noted in the play log too (once per item and content
version, its "last seen" moved forward at most every few minutes).

The outbox and the play log (SQLAlchemy) are opened by :meth:`ProofOfPlay.open`, which the
player calls once its first slide is on screen; records due before that wait in memory
and are written then (or at :meth:`ProofOfPlay.close`).

What is recorded (item, times, durations) is decided on the caller's thread, at the
moment it happens; the writes themselves (SQLAlchemy, each transaction synced to disk: ~6
ms here, far more on an SD card) go through ``run``, which the player gives a
:class:`SerialWriter`: they are done in order on a thread of their own, never on the UI
thread between two slides.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from player.neutrality import Election, ReservePeriod, Withheld

if TYPE_CHECKING:
    from content_cache import ContentCache, Outbox, PlayLog

log = logging.getLogger(__name__)

NOT_PLAYS = ("waiting", "fallback", "test-card")
# Records kept in memory while the outbox cannot be opened; past this the oldest go.
MAX_PENDING = 500
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


class SerialWriter:
    """Runs the calls it is given one after the other, in order, on a thread of its own
    (started on first use). A call that raises is logged; the next ones still run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._calls: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def submit(self, call: Callable[[], object]) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
            self._thread.start()
        self._calls.put(call)

    def _serve(self) -> None:
        while True:
            call = self._calls.get()
            if call is None:
                return
            try:
                call()
            except Exception:
                log.exception("%s: a write failed", self.name)

    def close(self, timeout: float) -> bool:
        """Run what was submitted, then stop; False if that took longer than ``timeout``."""
        if self._thread is None:
            return True
        self._calls.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()


class ProofOfPlay:
    def __init__(self, cache: Callable[[], ContentCache], now: Callable[[], datetime], *,
                 data_dir: Path | None = None, retention_days: int | None = None,
                 record: bool = True, run: Callable[[Callable[[], object]], None] | None = None) -> None:
        """``cache``: gives the opened cache (called by :meth:`open`). ``retention_days``:
        None keeps the play log's default. ``record=False`` (a preview at another date):
        nothing is written anywhere. ``run``: how the database work is done (default: at
        once, on the caller's thread; the player: :meth:`SerialWriter.submit`), always in
        the order it was asked for."""
        self.record = record
        self._run_given = run is not None
        self._run = run or (lambda call: call())
        self._cache = cache
        self._data_dir = data_dir
        self._outbox: Outbox | None = None
        self.now = now
        self.retention_days = retention_days
        self.play_log: PlayLog | None = None
        # Writes due before open(): (where, write), run in order by open().
        self._pending: list[tuple[str, Callable[[], object]]] = []
        self._current: _Showing | None = None
        self._failed: set[str] = set()
        self._withheld_noted: dict[tuple[str, str, str], datetime] = {}
        self._elections_noted: tuple[Election, ...] | None = None
        self._pruned_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self._outbox is not None

    @property
    def waiting(self) -> int:
        """Writes kept in memory until the outbox and play log open."""
        return len(self._pending)

    def open(self) -> None:
        """Open the outbox and the play log (SQLAlchemy), then write what waited; idempotent.
        Synchronous (no ``run``): raises what opening raised. Through ``run``: a failure is
        said once, and the records wait in memory (bounded) for the next try."""
        if self._run_given:
            self._run(lambda: self._guarded("outbox", self._open_now))
        else:
            self._open_now()

    def _open_now(self) -> None:
        if self._outbox is None:
            from content_cache import Outbox, PlayLog

            self._outbox = Outbox(self._cache())
            if self._data_dir is not None and self.record:
                try:
                    self.play_log = PlayLog.in_data_dir(self._data_dir)
                except Exception as e:  # the screen matters more than the log; say so once
                    log.warning("play log unavailable, reports will miss this run: %s", e)
        pending, self._pending = self._pending, []
        for what, write in pending:
            self._guarded(what, write)

    @property
    def outbox(self) -> Outbox:
        """The outbox, opened if need be (from the writes, through ``run``)."""
        self._open_now()
        assert self._outbox is not None
        return self._outbox

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
        record: dict[str, object] = {
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
        at = self.now()
        self._write("outbox", lambda: self.outbox.put("play", record, at))

        def add_play() -> None:
            from content_cache import PlayRecord

            if self.play_log is not None:
                self.play_log.add_play(PlayRecord(cur.item_id, cur.kind, cur.started_at, duration,
                                                  cur.version, cur.label, cur.category, cur.tags))
                self._prune_daily()

        self._write("play log", add_play)

    def withheld(self, version: str, period: ReservePeriod | None, items: Iterable[Withheld]) -> None:
        """Note what the reserve period keeps off the screen now."""
        if period is None or not self.record:
            return
        now = self.now()
        fresh = []
        for w in items:
            key = (version, w.surface, w.item_id)
            seen = self._withheld_noted.get(key)
            if seen is not None and now - seen < WITHHELD_REFRESH:
                continue
            self._withheld_noted[key] = now
            fresh.append(w)
        if not fresh:
            return

        def note() -> None:
            from content_cache import WithheldRecord

            if self.play_log is not None:
                self.play_log.note_withheld([
                    WithheldRecord(version, w.surface, w.item_id, w.reason, w.detail, now, now,
                                   w.label, w.category, w.tags, period.names) for w in fresh])

        self._write("play log", note)

    def elections(self, elections: tuple[Election, ...]) -> None:
        """Remember the content's elections (reports still find one the town removed)."""
        if elections == self._elections_noted or not self.record:
            return
        self._elections_noted = elections
        at = self.now()

        def note() -> None:
            from content_cache import ElectionRecord

            if self.play_log is not None:
                self.play_log.note_elections([ElectionRecord(e.name, e.first_round, e.last_round)
                                              for e in elections], at)

        self._write("play log", note)

    def close(self) -> None:
        self.ended()
        self._run(self._close_now)

    def _close_now(self) -> None:
        if self._pending:
            self._guarded("outbox", self._open_now)
        if self.play_log is not None:
            self.play_log.close()

    def _write(self, what: str, write: Callable[[], object]) -> None:
        self._run(lambda: self._write_now(what, write))

    def _write_now(self, what: str, write: Callable[[], object]) -> None:
        if self.is_open:
            self._guarded(what, write)
            return
        self._pending.append((what, write))
        if len(self._pending) > MAX_PENDING // 2:  # opening was put off for long: try now
            self._guarded("outbox", self._open_now)
        if len(self._pending) > MAX_PENDING:
            if "pending" not in self._failed:
                log.warning("proof of play: the outbox cannot be opened; the oldest records are dropped")
                self._failed.add("pending")
            del self._pending[: len(self._pending) - MAX_PENDING]

    def _prune_daily(self) -> None:
        now = self.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        play_log = self.play_log  # not None: called after a play was added to it
        if play_log is not None:
            self._guarded("play log", lambda: play_log.prune(
                now, *(() if self.retention_days is None else (self.retention_days,))))

    def _guarded(self, what: str, write: Callable[[], object]) -> None:
        try:
            write()
            self._failed.discard(what)
        except Exception as e:  # the screen matters more than the record; say so once
            if what not in self._failed:
                log.warning("proof of play not recorded in the %s: %s", what, e)
            self._failed.add(what)

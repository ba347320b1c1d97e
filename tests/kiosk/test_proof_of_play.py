"""Proof of play opens its SQLAlchemy side late (after the player's first frame): what is
recorded before waits in memory, in order, and a cache that cannot open costs bounded memory."""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from content_cache import ContentCache, Outbox
from content_cache.playlog import PlayLog
from kiosk.app.proof_of_play import MAX_PENDING, ProofOfPlay, SerialWriter

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_records_before_open_wait_and_are_written_in_order(tmp_path: Path) -> None:
    clock = [T0]
    opened: list[int] = []
    with ContentCache(tmp_path / "cache") as cache:
        def open_cache() -> ContentCache:
            opened.append(1)
            return cache

        proof = ProofOfPlay(open_cache, lambda: clock[0], data_dir=tmp_path)
        for item in ("a", "b", "c"):
            proof.started(item, "image", "v1")
            clock[0] += timedelta(seconds=10)
        assert not proof.is_open and opened == [] and proof.waiting == 4  # a and b: outbox + play log
        assert not (tmp_path / "plays.sqlite").exists()
        proof.open()
        assert opened == [1] and proof.waiting == 0
        assert [r.payload["item"] for r in Outbox(cache).batch()] == ["a", "b"]
        proof.started("d", "image", "v1")  # ends c, written at once now
        assert proof.waiting == 0 and Outbox(cache).size() == 3
        proof.close()
    log = PlayLog.in_data_dir(tmp_path)
    assert [(p.item_id, p.start) for p in log.plays()] == [
        ("a", T0), ("b", T0 + timedelta(seconds=10)), ("c", T0 + timedelta(seconds=20)),
        ("d", T0 + timedelta(seconds=30))]
    log.close()


def test_a_cache_that_cannot_open_keeps_a_bounded_queue(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> ContentCache:
        raise OSError("disk I/O error")

    proof = ProofOfPlay(broken, lambda: T0, data_dir=tmp_path)
    with caplog.at_level(logging.WARNING, logger="kiosk.app.proof_of_play"):
        for i in range(MAX_PENDING * 2):
            proof.started(f"item-{i}", "image", "v1")  # never raises: the screen goes on
    assert not proof.is_open and proof.waiting == MAX_PENDING
    dropped = [r for r in caplog.records if "oldest records are dropped" in r.getMessage()]
    assert len(dropped) == 1


def test_writes_go_through_the_writer_thread_in_order_and_never_hold_the_caller(tmp_path: Path) -> None:
    """The player's UI thread only decides what to record: a write that takes long (an SD
    card syncing) does not hold the next slide."""
    clock = [T0]
    threads: set[str] = set()
    writer = SerialWriter("proof-of-play")
    with ContentCache(tmp_path / "cache") as cache:
        def open_cache() -> ContentCache:
            threads.add(threading.current_thread().name)
            return cache

        proof = ProofOfPlay(open_cache, lambda: clock[0], data_dir=tmp_path, run=writer.submit)
        disk_busy = threading.Event()
        writer.submit(disk_busy.wait)  # the writer is held up until the end
        proof.open()
        for item in ("a", "b", "c", "d"):
            proof.started(item, "image", "v1")  # returns at once: the writer waits
            clock[0] += timedelta(seconds=10)
        proof.close()
        assert not proof.is_open and Outbox(cache).size() == 0
        disk_busy.set()
        assert writer.close(timeout=20)
        assert threads == {"proof-of-play"}
        assert [r.payload["item"] for r in Outbox(cache).batch()] == ["a", "b", "c", "d"]
    log = PlayLog.in_data_dir(tmp_path)
    assert [(p.item_id, p.start) for p in log.plays()] == [
        (x, T0 + timedelta(seconds=10 * i)) for i, x in enumerate("abcd")]
    log.close()

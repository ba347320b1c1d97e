"""`kiosk sync --once`: one sync pass that writes the cache with the standard library alone.

The pass is :meth:`sync.Syncer.run_once` — manifest, alerts' fast lane, quota, downloads,
the one-transaction switch, garbage collection — on a :class:`content_cache.LightCache`:
the cache's own SQL (content_cache.writes) on a sqlite3 connection, so the process never
imports SQLAlchemy and the models (about half a second of CPU, which on a small board the
downloads and their hashing need; see docs/performance.md, "Sync").

Around the pass, what the disk may refuse: a data folder that cannot be written (one line,
outcome ``read-only``), another writer of the cache (the writer lock, waited for briefly:
outcome ``busy``), a disk too full to open the database (partial downloads released
first: outcome ``no-space`` if that was not enough).

A database of another schema (written by the software before an upgrade) or a damaged one
is opened the full way, by ``open_cache()``: it is set aside and the live and previous
versions are rebuilt from their kept manifests before the pass (kiosk.device.cache).
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from content_cache import (
    DB_NAME,
    LightCache,
    LiveReader,
    MediaStore,
    NoSpace,
    SchemaMismatch,
    StorageFault,
    WriterBusy,
    WriterLock,
    collect_partials,
    is_damage,
    storage_fault,
    why_not_writable,
)

from .client import ContentApiClient
from .downloads import Progress
from .outcome import Outcome, SyncResult
from .syncer import sync_once

if TYPE_CHECKING:
    from content_cache import ContentCache

log = logging.getLogger(__name__)

LOCK_WAIT_S = 10.0  # how long a second writer waits for the first before saying so
VERIFY_BUDGET_S = 1.0  # hashing of the live version's files before the pass (oldest-checked first)


def sync_once_light(
    cache_root: Path,
    client: ContentApiClient,
    open_cache: Callable[[], ContentCache],
    now: Callable[[], datetime],
    progress: Callable[[Progress], None] | None = None,
    *,
    lock_wait_s: float = LOCK_WAIT_S,
    verify_budget_s: float = VERIFY_BUDGET_S,
) -> SyncResult:
    """One sync pass of the cache at ``cache_root``, which ``open_cache()`` opens the full
    way (and heals) if it is of another schema or damaged. Never raises for network,
    content or disk faults: the result says."""
    cause = why_not_writable(cache_root)
    if cause is not None:
        return _result(Outcome.READ_ONLY, f"cannot write to {cause}", cache_root)
    lock = WriterLock(cache_root, "sync --once")
    try:
        lock.acquire(lock_wait_s, client.stop)
    except WriterBusy as e:
        if client.stop.is_set():
            return _result(Outcome.STOPPED, "stopped while waiting for another sync", cache_root)
        return _result(Outcome.BUSY, str(e), cache_root)
    except StorageFault as e:
        return _fault_result(e, cache_root)
    try:
        return _locked_pass(cache_root, client, open_cache, now, progress, verify_budget_s)
    finally:
        lock.release()


def _locked_pass(
    cache_root: Path,
    client: ContentApiClient,
    open_cache: Callable[[], ContentCache],
    now: Callable[[], datetime],
    progress: Callable[[Progress], None] | None,
    verify_budget_s: float,
) -> SyncResult:
    folder = cache_root.parent
    try:
        cache = _open(cache_root, open_cache)
    except Exception as e:
        fault = storage_fault(e, folder)
        if not isinstance(fault, NoSpace):
            if fault is None:
                raise
            return _fault_result(fault, cache_root)
        # Too full to open the database: the partial downloads go first (see docs/sync.md).
        collect_partials(MediaStore(cache_root / "media"), (), now().timestamp(), pressure=True)
        try:
            cache = _open(cache_root, open_cache)
        except Exception as e2:
            fault = storage_fault(e2, folder)
            if fault is None:
                raise
            return _fault_result(fault, cache_root)
    for attempt in (1, 2):
        with cache:
            try:
                _verify(cache, now, verify_budget_s)
                return sync_once(cache, client, now, progress)
            except sqlite3.DatabaseError as e:
                if not is_damage(e) or attempt == 2:
                    raise
                log.warning("cache database damaged during the pass (%s): rebuilding it", e)
        cache = open_cache()  # sets the damaged file aside and rebuilds it
    raise AssertionError("unreachable")


def _open(cache_root: Path, open_cache: Callable[[], ContentCache]) -> LightCache | ContentCache:
    try:
        return LightCache(cache_root).open()
    except SchemaMismatch as e:
        log.info("cache opened the full way: %s", e)
        return open_cache()


def _verify(cache: LightCache | ContentCache, now: Callable[[], datetime], budget_s: float) -> None:
    """The live version's files: every size, and hashes within ``budget_s`` (the daemon
    does the same at its start): a file whose bytes changed is fetched again by the pass."""
    try:
        cache.verify_live(now(), budget_s)
    except Exception as e:  # a full or read-only disk: the pass says so
        if storage_fault(e, cache.root.parent) is None:
            raise
        log.debug("live files not checked: %s", e)


def _fault_result(fault: StorageFault, cache_root: Path) -> SyncResult:
    outcome = Outcome.NO_SPACE if isinstance(fault, NoSpace) else Outcome.READ_ONLY
    return _result(outcome, str(fault), cache_root)


def _result(outcome: str, message: str, cache_root: Path) -> SyncResult:
    """A pass that could not start; the live version is read without writing, to say it stays."""
    live = _live_version(cache_root)
    if outcome in (Outcome.NO_SPACE, Outcome.READ_ONLY):
        message += " — the current version stays live" if live else " — no version is live yet"
    return SyncResult(outcome, live, message=message)


def _live_version(cache_root: Path) -> str | None:
    try:
        with LiveReader(cache_root / DB_NAME, MediaStore(cache_root / "media")) as reader:
            return reader.live_state().live_version_id
    except (SchemaMismatch, sqlite3.Error, OSError):
        return None

"""`kiosk sync --once`: one sync pass that writes the cache with the standard library alone.

The pass is :meth:`sync.Syncer.run_once` — manifest, alerts' fast lane, quota, downloads,
the one-transaction switch, garbage collection — on a :class:`content_cache.LightCache`:
the cache's own SQL (content_cache.writes) on a sqlite3 connection, so the process never
imports SQLAlchemy and the models (about half a second of CPU, which on a small board the
downloads and their hashing need; see docs/performance.md, "Sync").

A database of another schema (written by the software before an upgrade) is the one case
opened the full way, by ``open_cache()``: it is set aside and the live and previous
versions are rebuilt from their kept manifests before the pass (kiosk.app.cache_open).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from content_cache import LightCache, SchemaMismatch

from .client import ContentApiClient
from .downloads import Progress
from .outcome import SyncResult
from .syncer import sync_once

if TYPE_CHECKING:
    from content_cache import ContentCache

log = logging.getLogger(__name__)


def sync_once_light(
    cache_root: Path,
    client: ContentApiClient,
    open_cache: Callable[[], ContentCache],
    now: Callable[[], datetime],
    progress: Callable[[Progress], None] | None = None,
) -> SyncResult:
    """One sync pass of the cache at ``cache_root``, which ``open_cache()`` opens the full
    way if it is of another schema. Never raises for network or content faults."""
    try:
        cache = LightCache(cache_root).open()
    except SchemaMismatch as e:
        log.info("cache opened the full way: %s", e)
        with open_cache() as full:
            return sync_once(full, client, now, progress)
    with cache:
        return sync_once(cache, client, now, progress)

"""Opening the device's content cache, rebuilding it first after a schema upgrade or damage.

Used by every process that writes the cache: the sync daemon and ``kiosk sync``, the
player (after its first frame, :mod:`kiosk.app.player_cache`) and the touch harness.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content_cache import ContentCache


def open_cache(data_dir: Path, now: Callable[[], datetime] | None = None, *, heal: bool = False) -> ContentCache:
    """The opened cache of ``data_dir``; after an upgrade that changed the database schema,
    the live and previous versions are rebuilt from their kept manifests (offline).

    ``heal``: a damaged database is set aside and rebuilt the same way — only by the
    writer that holds the cache's writer lock (a sync, an import); others get
    DamagedDatabase.
    """
    from content_cache import ContentCache  # SQLAlchemy: imported by the callers that write

    cache = ContentCache(data_dir / "cache").open(heal=heal)
    if cache.set_aside is not None:
        from sync import restore_versions  # only after an upgrade or damage: keeps start-up light

        restore_versions(cache, cache.set_aside, (now or (lambda: datetime.now(UTC)))())
    return cache

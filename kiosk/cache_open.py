"""Opening the device's cache, rebuilding it first after a schema upgrade."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from content_cache import ContentCache


def open_cache(data_dir: Path, now: Callable[[], datetime] | None = None) -> ContentCache:
    """The opened cache of ``data_dir``; after an upgrade that changed the database schema,
    the live and previous versions are rebuilt from their kept manifests (offline)."""
    cache = ContentCache(data_dir / "cache").open()
    if cache.set_aside is not None:
        from sync.restore import restore_versions  # only after an upgrade: keeps start-up light

        restore_versions(cache, cache.set_aside, (now or (lambda: datetime.now(timezone.utc)))())
    return cache

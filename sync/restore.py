"""Keep each installed manifest beside the cache, and rebuild versions from them.

When the cache's database schema changes with a software upgrade, or the database file is
found damaged, the old database is set aside (content_cache.db.set_aside_if_outdated,
content_cache.damage) and the live and previous versions are rebuilt here from their
manifests and the media already in the store — offline, before the first frame.
"""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

from content_cache import CacheError, WritableCache, write_atomic

from .manifest import Manifest, ManifestError, manifest_bytes, parse_manifest
from .to_cache import version_rows

log = logging.getLogger(__name__)


def manifests_dir(cache: WritableCache) -> Path:
    return cache.root / "manifests"


def save_manifest(cache: WritableCache, manifest: Manifest) -> None:
    """Write the validated manifest atomically (version ids are safe file names)."""
    write_atomic(manifests_dir(cache) / f"{manifest.version}.json", manifest_bytes(manifest.document))


def prune_manifests(cache: WritableCache) -> None:
    state = cache.live_state()
    keep = {f"{v}.json" for v in (state.live_version_id, state.previous_version_id) if v}
    for p in manifests_dir(cache).glob("*.json"):
        if p.name not in keep:
            p.unlink(missing_ok=True)


def restore_versions(cache: WritableCache, old_db: Path, now: datetime) -> list[str]:
    """Re-install the previous then the live version recorded in ``old_db`` (a database
    set aside after a schema upgrade, or because it was damaged), from their kept
    manifests and the media already in the store.

    When ``old_db`` cannot say which versions they were (a damaged file), the kept
    manifests say it themselves: only the live and previous ones are kept, and the live
    one was saved last. A version whose files are not all in the store is left for the
    next sync to fetch.
    """
    recorded = _recorded_versions(old_db)
    etags: dict[str, str | None] = {}
    if recorded is None:
        order = _kept_versions(cache)
    else:
        (previous, live), etags = recorded
        order = [v for v in (previous, live) if v]
    restored = []
    for version in order:
        path = manifests_dir(cache) / f"{version}.json"
        try:
            manifest = parse_manifest(path.read_bytes(), source=str(path))
            rows = version_rows(manifest, manifest_sha256="", etag=etags.get(version), now=now)
            cache.install_version(rows, now)
            restored.append(version)
        except (OSError, ManifestError, CacheError) as e:
            log.warning("could not restore version %s: %s", version, e)
    if restored:
        log.info("cache rebuilt from the kept manifests: restored %s (live: %s)", ", ".join(restored),
                 cache.live_state().live_version_id)
    return restored


def _recorded_versions(old_db: Path) -> tuple[tuple[str | None, str | None], dict[str, str | None]] | None:
    """((previous, live), etags) as ``old_db`` recorded them; None if it cannot say."""
    try:
        con = sqlite3.connect(old_db.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = con.execute("SELECT previous_version_id, live_version_id FROM live_pointer").fetchone()
        etags = dict(con.execute("SELECT id, etag FROM content_version").fetchall())
    except sqlite3.Error as e:
        log.warning("cache database %s unreadable (%s): the kept manifests say which versions to restore",
                    old_db, e)
        return None
    finally:
        con.close()
    return (row if row else (None, None)), etags


def _kept_versions(cache: WritableCache) -> list[str]:
    """The versions of the kept manifests, the one saved last (the live one) last."""
    try:
        kept = sorted(manifests_dir(cache).glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    except OSError:
        return []
    return [p.stem for p in kept][-2:]

"""Keep each installed manifest beside the cache, and rebuild versions from them.

When the cache's database schema changes with a software upgrade, the old database is set
aside (content_cache.db.set_aside_if_outdated) and the live and previous versions are
rebuilt here from their manifests and the media already in the store — offline, before
the first frame.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from content_cache import CacheError, WritableCache

from .manifest import Manifest, ManifestError, manifest_bytes, parse_manifest
from .to_cache import version_rows

log = logging.getLogger(__name__)


def manifests_dir(cache: WritableCache) -> Path:
    return cache.root / "manifests"


def save_manifest(cache: WritableCache, manifest: Manifest) -> None:
    """Write the validated manifest atomically (version ids are safe file names)."""
    folder = manifests_dir(cache)
    folder.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(manifest_bytes(manifest.document))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / f"{manifest.version}.json")


def prune_manifests(cache: WritableCache) -> None:
    state = cache.live_state()
    keep = {f"{v}.json" for v in (state.live_version_id, state.previous_version_id) if v}
    for p in manifests_dir(cache).glob("*.json"):
        if p.name not in keep:
            p.unlink(missing_ok=True)


def restore_versions(cache: WritableCache, old_db: Path, now: datetime) -> list[str]:
    """Re-install the previous then the live version recorded in ``old_db``."""
    con = sqlite3.connect(old_db)
    try:
        row = con.execute("SELECT live_version_id, previous_version_id FROM live_pointer").fetchone()
        etags = dict(con.execute("SELECT id, etag FROM content_version").fetchall())
    except sqlite3.Error as e:
        log.warning("old cache database %s unreadable (%s); waiting for the next sync", old_db, e)
        return []
    finally:
        con.close()
    live, previous = row if row else (None, None)
    restored = []
    for version in (previous, live):
        if not version:
            continue
        path = manifests_dir(cache) / f"{version}.json"
        try:
            manifest = parse_manifest(path.read_bytes(), source=str(path))
            rows = version_rows(manifest, manifest_sha256="", etag=etags.get(version), now=now)
            cache.install_version(rows, now)
            restored.append(version)
        except (OSError, ManifestError, CacheError) as e:
            log.warning("could not restore version %s after the upgrade: %s", version, e)
    if restored:
        log.info("cache rebuilt after a software upgrade: restored %s", ", ".join(restored))
    return restored

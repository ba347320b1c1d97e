"""`kiosk sync --once` with the new version's downloads started before the cache is opened.

Opening the cache means importing SQLAlchemy and the cache's models: about half a second
of a one-shot sync's start-up, during which nothing else happened. Here the live
version's ETag is read with the standard library's sqlite3, the manifest is fetched and
validated, and the new version's files start downloading into the media store (which
needs no database); the cache is opened meanwhile, on the main thread, and the pass goes
on exactly like :meth:`sync.Syncer.run_once`: alerts' fast lane, files of the live version
found bad fetched too, then — once every file is verified and durable — the one-transaction
switch and the garbage collection.

The early start is only taken when nothing has to be decided in the database first:

- the cache database is absent (a first boot) or of this software's schema (after an
  upgrade it is set aside and rebuilt first: the usual order);
- ``cache.max_bytes`` is unset, or the new version fits beside the live one *and* the
  store's bytes plus those to fetch fit under it — the two conditions under which
  :meth:`ContentCache.make_room` does nothing. Otherwise room is made first, as ever.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from content_cache.live_read import DB_NAME, LiveReader, SchemaMismatch
from content_cache.store import MediaStore

from .client import ContentApiClient, Stopped
from .downloads import Downloads, Progress
from .outcome import SyncResult, poll_manifest

if TYPE_CHECKING:
    from content_cache import ContentCache

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class LiveBeforeOpen:
    """What the one-shot path needs of the cache before opening it."""

    version: str | None = None
    etag: str | None = None
    files: dict[str, int] = field(default_factory=dict)  # the live version's sha256 → size


def read_live_before_open(cache_root: Path) -> LiveBeforeOpen | None:
    """The live version, its ETag and files, read with sqlite3 alone; None when the
    database is of another schema (or unreadable): it is then opened the usual way first."""
    db_path = cache_root / DB_NAME
    if not db_path.is_file():
        return LiveBeforeOpen()  # a first sync: ContentCache.open creates it
    try:
        with LiveReader(db_path, MediaStore(cache_root / "media")) as reader:
            state = reader.live_state()
            if state.live_version_id is None:
                return LiveBeforeOpen()
            # The live version's files, for the quota check (ContentCache.version_files).
            files = dict(reader.con.execute(
                "SELECT sha256, size FROM version_media WHERE version_id = ?", (state.live_version_id,)
            ).fetchall())
    except (SchemaMismatch, sqlite3.Error) as e:
        log.info("cache opened before the manifest is fetched: %s", e)
        return None
    return LiveBeforeOpen(state.live_version_id, state.etag, files)


def fits_without_making_room(
    store: MediaStore, live: dict[str, int], needed: dict[str, int], max_bytes: int | None
) -> bool:
    """True when :meth:`ContentCache.make_room` would neither refuse nor remove anything."""
    if max_bytes is None:
        return True
    if sum({**live, **needed}.values()) > max_bytes:
        return False
    to_fetch = sum(size for sha, size in needed.items() if not store.has(sha, size))
    return store.bytes_used() + to_fetch <= max_bytes


def sync_once_downloading_early(
    cache_root: Path,
    client: ContentApiClient,
    open_cache: Callable[[], ContentCache],
    now: Callable[[], datetime],
    progress: Callable[[Progress], None] | None = None,
) -> SyncResult:
    """One sync pass of the cache at ``cache_root``, which ``open_cache()`` opens (and
    rebuilds after a schema upgrade). Never raises for network or content faults."""
    before = client.requests_made
    live = read_live_before_open(cache_root)
    if live is None:
        from .syncer import sync_once

        with open_cache() as cache:
            return sync_once(cache, client, now, progress)
    poll = poll_manifest(client, live.etag if live.version else None, now)
    manifest = poll.fetch.manifest if poll.fetch is not None else None
    downloads: Downloads | None = None
    if manifest is not None and manifest.version != live.version:
        store = MediaStore(cache_root / "media")
        files = {m.sha256: m.size for m in manifest.media}
        if fits_without_making_room(store, live.files, files, client.settings.max_cache_bytes):
            store.ensure()
            downloads = Downloads(client, store, progress)
            downloads.add({sha: size for sha, size in files.items() if not store.has(sha, size)})
    try:
        with open_cache() as cache:  # SQLAlchemy is imported here, while the files download
            from .syncer import Syncer

            syncer = Syncer(cache, client, now, progress)
            check = syncer.checked(poll, cache.live_state().live_version_id)
            return syncer.apply(check, before, downloads)
    except BaseException:
        if downloads is not None:  # whatever failed, no download thread outlives the pass
            client.stop.set()
            try:
                downloads.wait()
            except Stopped:
                pass
        raise

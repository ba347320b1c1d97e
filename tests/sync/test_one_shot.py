"""`kiosk sync --once` starts a new version's downloads before it opens the cache
(sync/one_shot.py), when nothing has to be decided in the database first."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from content_cache import ContentCache
from kiosk.cache_open import open_cache
from kiosk.publisher import publish
from kiosk.refserver import ContentTreeServer
from sync import ContentApiClient, Outcome, SyncSettings, sync_once_downloading_early
from content_cache.db import SCHEMA_VERSION
from sync.one_shot import DB_NAME, read_live_before_open

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)


def _store_files(data: Path) -> list[Path]:
    """Files of the media store: partial downloads and final names."""
    media = data / "cache" / "media"
    return [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []


class Opener:
    """open_cache for the one-shot path that notes what the store held when it was called,
    after waiting up to ``wait_s`` for a download to write something."""

    def __init__(self, data: Path, wait_s: float = 0.0) -> None:
        self.data = data
        self.wait_s = wait_s
        self.files_at_open: list[Path] | None = None

    def __call__(self) -> ContentCache:
        before = set(_store_files(self.data))
        deadline = time.monotonic() + self.wait_s
        while set(_store_files(self.data)) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        self.files_at_open = _store_files(self.data)
        return open_cache(self.data, lambda: NOW)


def _run(data: Path, server: ContentTreeServer, opener: Callable[[], ContentCache], **settings: object):
    client = ContentApiClient(SyncSettings(api_url=server.url, **settings))  # type: ignore[arg-type]
    return sync_once_downloading_early(data / "cache", client, opener, now=lambda: NOW)


def _query(data: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(data / "cache" / DB_NAME)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _publish_new_version(source: Path, published: Path, body: str = "Rue fermée.") -> None:
    news = source / "bulletins" / "news.toml"
    news.write_text(news.read_text().replace("Circulation alternée.", body))
    publish(source, published)


def test_first_sync_downloads_before_the_cache_is_opened_and_installs_the_version(
    tmp_path: Path, server: ContentTreeServer, published: Path
) -> None:
    data = tmp_path / "device"
    opener = Opener(data, wait_s=10)
    result = _run(data, server, opener)
    manifest = json.loads((published / "v1" / "manifest.json").read_bytes())
    assert opener.files_at_open, "no download had started when the cache was opened"
    assert result.outcome == Outcome.UPDATED and result.live_version == manifest["version"]
    assert result.files_fetched == 3 and result.requests == 4
    store = data / "cache" / "media"
    for m in manifest["media"]:
        data_bytes = (store / "sha256" / m["sha256"][:2] / m["sha256"]).read_bytes()
        assert hashlib.sha256(data_bytes).hexdigest() == m["sha256"]
    assert not list((store / "tmp").iterdir())
    assert _query(data, "SELECT live_version_id, generation FROM live_pointer") == [(manifest["version"], 1)]
    assert _query(data, "SELECT count(*) FROM version_media") == [(3,)]
    assert _query(data, "SELECT outcome, files_fetched FROM sync_run") == [("updated", 3)]
    assert (data / "cache" / "manifests" / f"{manifest['version']}.json").is_file()


def test_the_live_state_is_read_without_opening_the_cache_and_a_no_change_sync_is_one_304(
    tmp_path: Path, server: ContentTreeServer
) -> None:
    data = tmp_path / "device"
    first = _run(data, server, Opener(data))
    live = read_live_before_open(data / "cache")
    assert live is not None and live.version == first.live_version and live.etag
    assert len(live.files) == 3
    server.take_records()
    again = _run(data, server, Opener(data))
    assert again.outcome == Outcome.UNCHANGED and again.files_fetched == 0
    assert [(r.path, r.status) for r in server.take_records()] == [("/v1/manifest.json", 304)]


def test_a_new_version_also_fetches_the_live_files_found_missing(
    tmp_path: Path, server: ContentTreeServer, source: Path, published: Path
) -> None:
    data = tmp_path / "device"
    first = _run(data, server, Opener(data))
    # a live file lost (an SD card fault), then a new version that shares it
    (lost,) = [sha for (sha,) in _query(data, "SELECT sha256 FROM version_media LIMIT 1")]
    (data / "cache" / "media" / "sha256" / lost[:2] / lost).unlink()
    _publish_new_version(source, published)
    result = _run(data, server, Opener(data))
    assert result.outcome == Outcome.UPDATED and result.live_version != first.live_version
    assert result.files_fetched == 1
    assert (data / "cache" / "media" / "sha256" / lost[:2] / lost).is_file()
    assert _query(data, "SELECT live_version_id, previous_version_id FROM live_pointer") == [
        (result.live_version, first.live_version)
    ]


def test_over_the_quota_room_is_made_in_the_database_before_any_download(
    tmp_path: Path, server: ContentTreeServer, source: Path, published: Path
) -> None:
    from ..helpers import write_png

    data = tmp_path / "device"
    _run(data, server, Opener(data))
    write_png(source / "media" / "img0.png", (10, 10, 10))
    publish(source, published)
    second = _run(data, server, Opener(data))  # the first version's img0 stays, as the previous one's
    before = set(_store_files(data))
    used = sum(p.stat().st_size for p in before)
    write_png(source / "media" / "img0.png", (250, 250, 250), size=(640, 360))
    publish(source, published)
    new_size = (source / "media" / "img0.png").stat().st_size
    # the third version fits beside the live one, but the store plus the new file do not fit
    # until the previous version is given up: the database decides first, as before
    opener = Opener(data, wait_s=1)  # time enough for a download to show, were one started
    result = _run(data, server, opener, max_cache_bytes=used + new_size - 1)
    assert set(opener.files_at_open or []) == before  # nothing downloaded before the cache opened
    assert result.outcome == Outcome.UPDATED and result.files_fetched == 1
    assert _query(data, "SELECT live_version_id, previous_version_id FROM live_pointer") == [
        (result.live_version, second.live_version)
    ]
    assert sum(p.stat().st_size for p in _store_files(data)) <= used + new_size - 1


def test_a_version_that_does_not_fit_is_refused_with_nothing_downloaded(
    tmp_path: Path, server: ContentTreeServer
) -> None:
    data = tmp_path / "device"
    server.take_records()
    result = _run(data, server, Opener(data), max_cache_bytes=1000)
    assert result.outcome == Outcome.REFUSED and "does not fit" in result.message
    assert [r.path for r in server.take_records()] == ["/v1/manifest.json"]
    assert not _store_files(data)
    assert _query(data, "SELECT outcome FROM sync_run") == [("refused",)]


def test_after_a_schema_upgrade_the_cache_is_rebuilt_first_then_synced(
    tmp_path: Path, server: ContentTreeServer
) -> None:
    data = tmp_path / "device"
    first = _run(data, server, Opener(data))
    con = sqlite3.connect(data / "cache" / DB_NAME)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")  # as written by the old software
    con.close()
    assert read_live_before_open(data / "cache") is None
    server.take_records()
    result = _run(data, server, Opener(data))
    # restored from the kept manifest, with its ETag: the poll is one 304
    assert result.outcome == Outcome.UNCHANGED and result.live_version == first.live_version
    assert [(r.path, r.status) for r in server.take_records()] == [("/v1/manifest.json", 304)]
    assert (data / "cache" / f"{DB_NAME}.schema{SCHEMA_VERSION - 1}").is_file()


def test_the_one_shot_path_knows_the_cache_file_name() -> None:
    from content_cache.cache import DB_NAME as cache_db_name

    assert DB_NAME == cache_db_name

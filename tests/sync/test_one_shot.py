"""`kiosk sync --once` writes the cache with the standard library's sqlite3 alone
(sync/one_shot.py, content_cache.LightCache); only a database of another schema is opened
the full way (SQLAlchemy), to be rebuilt first."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from content_cache import DB_NAME, SCHEMA_VERSION, ContentCache
from hub.publisher import publish
from hub.refserver import ContentTreeServer
from kiosk.device.cache import open_cache
from sync import ContentApiClient, Outcome, SyncSettings, sync_once_light

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _store_files(data: Path) -> list[Path]:
    """Files of the media store: partial downloads and final names."""
    media = data / "cache" / "media"
    return [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []


class Opener:
    """The full way of opening the cache, counting its calls."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.calls = 0

    def __call__(self) -> ContentCache:
        self.calls += 1
        return open_cache(self.data, lambda: NOW)


def _run(data: Path, server: ContentTreeServer, opener: Opener | None = None, **settings: object):
    client = ContentApiClient(SyncSettings(api_url=server.url, **settings))  # type: ignore[arg-type]
    opener = opener or Opener(data)
    result = sync_once_light(data / "cache", client, opener, now=lambda: NOW)
    return result


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


def test_a_first_sync_creates_the_cache_and_installs_the_version(
    tmp_path: Path, server: ContentTreeServer, published: Path
) -> None:
    data = tmp_path / "device"
    opener = Opener(data)
    result = _run(data, server, opener)
    manifest = json.loads((published / "v1" / "manifest.json").read_bytes())
    assert opener.calls == 0
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
    assert _query(data, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert _query(data, "PRAGMA integrity_check") == [("ok",)]
    # the full cache opens it as its own and reads the same version
    with ContentCache(data / "cache") as cache:
        assert cache.set_aside is None
        live = cache.read_live()
        assert live is not None and live.version_id == manifest["version"]
        assert {m.sha256 for p in live.playlists.values() for i in p.items if (m := i.media)} == {
            m["sha256"] for m in manifest["media"]}


def test_a_no_change_sync_is_one_304(tmp_path: Path, server: ContentTreeServer) -> None:
    data = tmp_path / "device"
    _run(data, server)
    server.take_records()
    again = _run(data, server)
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
    result = _run(data, server, max_cache_bytes=used + new_size - 1)
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
    server.take_records()
    opener = Opener(data)
    result = _run(data, server, opener)
    assert opener.calls == 1
    # restored from the kept manifest, with its ETag: the poll is one 304
    assert result.outcome == Outcome.UNCHANGED and result.live_version == first.live_version
    assert [(r.path, r.status) for r in server.take_records()] == [("/v1/manifest.json", 304)]
    assert (data / "cache" / f"{DB_NAME}.schema{SCHEMA_VERSION - 1}").is_file()


def test_a_whole_one_shot_sync_never_imports_sqlalchemy(tmp_path: Path, server: ContentTreeServer) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kiosk.cli.sync import run_sync_once\n"
        "rc = run_sync_once(sys.argv[1], Path(sys.argv[2]), quiet=True)\n"
        "print(rc, sorted(m for m in sys.modules if m.startswith('sqlalchemy') or m == 'content_cache.models'))\n"
    )
    for _first_then_no_change in range(2):
        out = subprocess.run([sys.executable, "-c", code, server.url, str(tmp_path / "d")],
                             capture_output=True, text=True, check=True)
        assert out.stdout.split(None, 1) == ["0", "[]\n"]
    assert _query(tmp_path / "d", "SELECT outcome FROM sync_run ORDER BY id") == [("updated",), ("unchanged",)]

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from content_cache import ContentCache
from hub.publisher import publish
from hub.refserver import ContentTreeServer
from sync import ContentApiClient, Outcome, SyncSettings, sync_once

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _sync(cache: ContentCache, server: ContentTreeServer):
    return sync_once(cache, ContentApiClient(SyncSettings(api_url=server.url)), now=lambda: NOW)


def _rows(cache: ContentCache, sql: str) -> list:
    with cache.session() as s:
        return list(s.execute(text(sql)).all())


def test_first_sync_stores_every_file_verified_and_makes_the_version_live(
    cache: ContentCache, server: ContentTreeServer, published: Path
) -> None:
    result = _sync(cache, server)
    manifest = json.loads((published / "v1" / "manifest.json").read_bytes())
    assert result.outcome == Outcome.UPDATED and result.live_version == manifest["version"]
    assert result.files_fetched == 3 and result.requests == 4
    for m in manifest["media"]:
        data = cache.store.path_for(m["sha256"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == m["sha256"]
    assert _rows(cache, "SELECT live_version_id, generation FROM live_pointer") == [(manifest["version"], 1)]
    assert _rows(cache, "SELECT id, kind FROM playlist_item ORDER BY position") == [
        ("img-0", "image"), ("img-1", "image"), ("img-2", "image"), ("news", "bulletin")
    ]
    live = cache.read_live()
    assert live.playlist().items[3].bulletin.title.get("fr") == "Travaux rue Haute"
    assert _rows(cache, "SELECT outcome, files_fetched FROM sync_run") == [("updated", 3)]


def test_second_sync_is_one_304_and_downloads_nothing(cache: ContentCache, server: ContentTreeServer) -> None:
    _sync(cache, server)
    server.take_records()
    result = _sync(cache, server)
    records = server.take_records()
    assert result.outcome == Outcome.UNCHANGED and result.files_fetched == 0
    assert [(r.path, r.status) for r in records] == [("/v1/manifest.json", 304)]
    assert sum(r.bytes_sent for r in records) == 0


def test_a_one_file_change_fetches_only_that_file(
    cache: ContentCache, server: ContentTreeServer, source: Path, published: Path
) -> None:
    from ..helpers import write_png

    _sync(cache, server)
    write_png(source / "media" / "img1.png", (10, 200, 200))
    publish(source, published)
    server.take_records()
    result = _sync(cache, server)
    media_requests = [r for r in server.take_records() if r.path.startswith("/v1/media/")]
    new_sha = hashlib.sha256((source / "media" / "img1.png").read_bytes()).hexdigest()
    assert result.outcome == Outcome.UPDATED and result.files_fetched == 1
    assert [r.path for r in media_requests] == [f"/v1/media/{new_sha}"]
    state = cache.live_state()
    assert state.previous_version_id is not None and state.generation == 2


def test_media_whose_bytes_do_not_match_never_goes_live(
    cache: ContentCache, server: ContentTreeServer, source: Path, published: Path
) -> None:
    from ..helpers import write_png

    first = _sync(cache, server)
    write_png(source / "media" / "img2.png", (90, 90, 90))
    publish(source, published)
    new_sha = hashlib.sha256((source / "media" / "img2.png").read_bytes()).hexdigest()
    served = published / "v1" / "media" / new_sha
    served.write_bytes(b"X" * served.stat().st_size)  # same size, wrong bytes

    result = _sync(cache, server)
    assert result.outcome == Outcome.INCOMPLETE
    assert f"media {new_sha}: content hashes to" in result.message
    assert cache.live_state().live_version_id == first.live_version
    assert not cache.store.path_for(new_sha).exists()
    assert list((cache.store.root / "tmp").iterdir()) == []
    # the old content still plays, fully
    assert [i.id for i in cache.read_live().playlist().items] == ["img-0", "img-1", "img-2", "news"]


def test_a_manifest_with_a_bad_field_fails_with_one_line_and_old_version_stays(
    cache: ContentCache, server: ContentTreeServer, published: Path
) -> None:
    first = _sync(cache, server)
    path = published / "v1" / "manifest.json"
    doc = json.loads(path.read_bytes())
    doc["playlists"][0]["items"][1]["duration"] = -3
    doc["version"] = "broken"
    path.write_text(json.dumps(doc))

    result = _sync(cache, server)
    assert result.outcome == Outcome.INVALID
    assert result.problems == (
        f"{server.url}/v1/manifest.json: playlists[0].items[1].duration: -3 is less than or equal to the minimum of 0",
    )
    assert cache.live_state().live_version_id == first.live_version


def test_unreachable_server_keeps_the_live_version(cache: ContentCache, server: ContentTreeServer) -> None:
    first = _sync(cache, server)
    url = server.url
    server.stop()
    result = sync_once(cache, ContentApiClient(SyncSettings(api_url=url)), now=lambda: NOW)
    assert result.outcome == Outcome.UNREACHABLE
    assert result.message == (f"cannot connect to {url.removeprefix('http://')} (connection refused) after 4 attempts"
                              " — is the content server up? check api.url")
    assert cache.live_state().live_version_id == first.live_version


def test_same_content_under_a_new_etag_is_not_downloaded_again(
    cache: ContentCache, server: ContentTreeServer, published: Path
) -> None:
    first = _sync(cache, server)
    path = published / "v1" / "manifest.json"
    path.write_bytes(path.read_bytes() + b"\n")  # new bytes, new ETag, same version
    server.take_records()
    result = _sync(cache, server)
    assert result.outcome == Outcome.UNCHANGED and result.live_version == first.live_version
    assert [r.status for r in server.take_records()] == [200]
    server.take_records()
    _sync(cache, server)
    assert [r.status for r in server.take_records()] == [304]

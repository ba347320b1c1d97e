"""Sync against a real HTTP server on 127.0.0.1 that injects faults.

Each case must end with the right live version, a store holding only verified bytes,
and a bounded number of requests.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from content_cache import ContentCache
from hub.publisher import publish
from sync import ContentApiClient, Outcome, SyncSettings, sync_once

from .. import faultserver as fs
from ..helpers import write_source

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
VIDEO_SIZE = 400_000


def fake_mp4(path: Path, size: int = VIDEO_SIZE, seed: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1)
    path.write_bytes((b"\x00\x00\x00\x18ftypmp42" + body)[:size])
    return path


def add_video(src: Path, name: str = "clip.mp4", seed: int = 1) -> str:
    fake_mp4(src / "media" / name, seed=seed)
    with (src / "playlists" / "lobby.toml").open("a") as f:
        f.write(f'\n[[items]]\nid = "clip-{seed}"\ntype = "video"\nfile = "media/{name}"\n')
    return hashlib.sha256((src / "media" / name).read_bytes()).hexdigest()


@pytest.fixture
def src(tmp_path: Path) -> Path:
    s = write_source(tmp_path / "src")
    add_video(s)
    return s


@pytest.fixture
def tree(tmp_path: Path, src: Path) -> Path:
    publish(src, tmp_path / "tree")
    return tmp_path / "tree"


@pytest.fixture
def server(tree: Path) -> Iterator[fs.FaultServer]:
    srv = fs.FaultServer(tree)
    yield srv
    srv.stop()


def settings(url: str, **kw) -> SyncSettings:
    base = dict(api_url=url, backoff_base_s=0.01, backoff_max_s=0.05, retry_after_max_s=3,
                connect_timeout_s=2, read_timeout_s=2, file_deadline_base_s=1.5,
                min_rate_bytes_s=10**9, max_attempts=4)
    base.update(kw)
    return SyncSettings(**base)


def run(cache: ContentCache, server: fs.FaultServer, **kw):
    return sync_once(cache, ContentApiClient(settings(server.url, **kw)), now=lambda: NOW)


def manifest_version(tree: Path) -> str:
    import json

    return json.loads((tree / "v1" / "manifest.json").read_bytes())["version"]


def assert_store_is_clean(cache: ContentCache) -> None:
    """Every file under a final name has exactly the bytes its name promises."""
    for sha in cache.store.list_digests():
        assert hashlib.sha256(cache.store.path_for(sha).read_bytes()).hexdigest() == sha


def media_hits(hits: list[fs.Hit], sha: str) -> list[fs.Hit]:
    return [h for h in hits if h.path == f"/v1/media/{sha}"]


VIDEO = "clip.mp4"


def video_sha(src: Path) -> str:
    return hashlib.sha256((src / "media" / VIDEO).read_bytes()).hexdigest()


def test_503_with_retry_after_is_honoured_then_sync_completes(cache, server, tree) -> None:
    server.inject("/v1/manifest.json", fs.status(503, Retry_After="1"), fs.status(503, Retry_After="1"))
    t0 = time.monotonic()
    r = run(cache, server)
    assert r.outcome == Outcome.UPDATED and r.live_version == manifest_version(tree)
    assert time.monotonic() - t0 >= 1.9
    hits = server.take_hits()
    assert [h.status for h in hits if h.path == "/v1/manifest.json"] == [503, 503, 200]
    assert len(hits) == 3 + 4  # three manifest requests, four media files
    assert_store_is_clean(cache)


def test_500_on_a_media_file_is_retried_a_bounded_number_of_times(cache, server, src) -> None:
    sha = video_sha(src)
    server.inject(f"/v1/media/{sha}", fs.status(500), fs.status(500))
    r = run(cache, server)
    assert r.outcome == Outcome.UPDATED
    assert [h.status for h in media_hits(server.take_hits(), sha)] == [500, 500, 200]
    assert_store_is_clean(cache)


@pytest.mark.parametrize("fault", [fs.reset(100_000), fs.truncate(100_000)], ids=["reset", "truncated"])
def test_a_broken_body_resumes_with_range_from_where_it_stopped(cache, server, src, fault) -> None:
    sha = video_sha(src)
    server.inject(f"/v1/media/{sha}", fault)
    r = run(cache, server)
    assert r.outcome == Outcome.UPDATED
    hits = media_hits(server.take_hits(), sha)
    assert len(hits) == 2 and hits[0].range is None
    resumed_at = int(hits[1].range.removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= 100_000 and hits[1].status == 206
    assert hits[1].bytes_sent == VIDEO_SIZE - resumed_at
    assert cache.store.verify(sha, VIDEO_SIZE)
    assert_store_is_clean(cache)


def test_wrong_bytes_never_go_live_and_the_attempts_are_bounded(cache, server, src, tree) -> None:
    sha = video_sha(src)
    server.inject_always(f"/v1/media/{sha}", fs.CORRUPT)
    r = run(cache, server)
    assert r.outcome == Outcome.INCOMPLETE and r.live_version is None
    assert f"media {sha}: content hashes to" in r.message
    assert len(media_hits(server.take_hits(), sha)) == 4
    assert not cache.store.path_for(sha).exists()
    assert not cache.store.partial_path(sha).exists()
    assert cache.live_state().live_version_id is None
    assert_store_is_clean(cache)
    # the server is mended: the next sync completes
    server.always.clear()
    assert run(cache, server).outcome == Outcome.UPDATED


def test_zero_byte_200_is_not_taken_for_the_file(cache, server, src) -> None:
    sha = video_sha(src)
    server.inject(f"/v1/media/{sha}", fs.EMPTY)
    r = run(cache, server)
    assert r.outcome == Outcome.UPDATED
    assert [h.bytes_sent for h in media_hits(server.take_hits(), sha)] == [0, VIDEO_SIZE]
    assert cache.store.verify(sha, VIDEO_SIZE)


def test_a_slow_drip_is_cut_at_the_deadline_and_resumed(cache, server, src) -> None:
    sha = video_sha(src)
    server.inject(f"/v1/media/{sha}", fs.drip(40_000))
    t0 = time.monotonic()
    r = run(cache, server, file_deadline_base_s=1.0)
    elapsed = time.monotonic() - t0
    assert r.outcome == Outcome.UPDATED
    hits = media_hits(server.take_hits(), sha)
    dripped = [h for h in hits if h.fault == "drip"]
    resumed = [h for h in hits if h.range]
    assert len(hits) == 2 and len(dripped) == 1 and len(resumed) == 1
    assert resumed[0].status == 206 and resumed[0].range == f"bytes={VIDEO_SIZE - resumed[0].bytes_sent}-"
    assert elapsed < 6, f"the drip held sync for {elapsed:.1f} s"
    assert cache.store.verify(sha, VIDEO_SIZE)


def test_a_drip_that_never_ends_gives_up_in_bounded_time(cache, server, src) -> None:
    sha = video_sha(src)
    server.inject_always(f"/v1/media/{sha}", fs.drip(10_000))
    t0 = time.monotonic()
    r = run(cache, server, file_deadline_base_s=0.5, max_attempts=3)
    assert r.outcome == Outcome.INCOMPLETE and "deadline" in r.message
    assert time.monotonic() - t0 < 8
    assert len(media_hits(server.take_hits(), sha)) == 3
    assert not cache.store.path_for(sha).exists()


def test_a_server_ignoring_range_is_handled_by_starting_over(cache, server, src) -> None:
    sha = video_sha(src)
    server.inject(f"/v1/media/{sha}", fs.reset(150_000), fs.IGNORE_RANGE)
    r = run(cache, server)
    assert r.outcome == Outcome.UPDATED
    hits = media_hits(server.take_hits(), sha)
    assert [h.status for h in hits] == [200, 200] and hits[1].range is not None
    assert hits[1].bytes_sent == VIDEO_SIZE
    assert cache.store.verify(sha, VIDEO_SIZE)


def test_a_new_etag_on_the_same_content_downloads_nothing(cache, server, tree) -> None:
    assert run(cache, server).outcome == Outcome.UPDATED
    server.take_hits()
    server.inject("/v1/manifest.json", fs.etag('"re-tagged"'))
    r = run(cache, server)
    assert r.outcome == Outcome.UNCHANGED and r.files_fetched == 0
    assert [h.path for h in server.take_hits()] == ["/v1/manifest.json"]


def test_device_manifest_is_preferred_and_its_absence_is_remembered(cache, server, tree, src) -> None:
    r = run(cache, server, device_id="totem-12")
    assert r.outcome == Outcome.UPDATED
    paths = [h.path for h in server.take_hits() if "manifest" in h.path]
    assert paths == ["/v1/devices/totem-12/manifest.json", "/v1/manifest.json"]
    # a device-specific manifest published for this totem is used instead
    (tree / "v1" / "devices" / "totem-12").mkdir(parents=True)
    (tree / "v1" / "devices" / "totem-12" / "manifest.json").write_bytes(
        (tree / "v1" / "manifest.json").read_bytes())
    client = ContentApiClient(settings(server.url, device_id="totem-12"))
    sync_once(cache, client, now=lambda: NOW)
    assert [h.path for h in server.take_hits()] == ["/v1/devices/totem-12/manifest.json"]


def test_bearer_token_is_sent_and_never_logged(cache, server, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    server.inject("/v1/manifest.json", fs.status(500))
    r = run(cache, server, token="s3cret-token")
    assert r.outcome == Outcome.UPDATED
    assert {h.authorization for h in server.take_hits()} == {"Bearer s3cret-token"}
    assert "s3cret-token" not in caplog.text and "s3cret-token" not in repr(settings("x", token="s3cret-token"))


def test_an_alert_reaches_the_cache_while_a_big_video_still_downloads(tmp_path, cache, server, src, tree) -> None:
    assert run(cache, server).outcome == Outcome.UPDATED
    old = cache.live_state().live_version_id
    # the town publishes a storm alert together with a new (big, slow) video
    with (src / "bulletins" / "news.toml").open("a") as f:
        f.write('\n[[bulletins]]\nid = "storm"\ncategory = "alert"\nseverity = "critical"\n'
                '[bulletins.title]\nfr = "Tempête"\n')
    new_sha = add_video(src, "big.mp4", seed=2)
    publish(src, tree)
    server.inject_always(f"/v1/media/{new_sha}", fs.drip(200_000))  # ~2 s for 400 kB

    result: list = []
    t = threading.Thread(target=lambda: result.append(run(cache, server, file_deadline_base_s=20)))
    t.start()
    try:
        deadline = time.monotonic() + 5
        seen = False
        while time.monotonic() < deadline and not seen:
            live = cache.read_live()
            seen = any(b.id == "storm" for b in live.bulletins)
            time.sleep(0.05)
        assert seen, "the alert waited for the video"
        assert live.version_id == old  # the version itself has not switched yet
        assert not cache.store.path_for(new_sha).exists()
    finally:
        t.join(30)
    assert result[0].outcome == Outcome.UPDATED and result[0].alerts_shown_early
    live = cache.read_live()
    assert live.version_id != old and any(b.id == "storm" for b in live.bulletins)


def test_a_version_that_cannot_fit_the_quota_is_refused_and_nothing_is_fetched(cache, server, tree) -> None:
    r = run(cache, server, max_cache_bytes=200_000)
    assert r.outcome == Outcome.REFUSED
    assert r.message.startswith(f"version {manifest_version(tree)} does not fit: it needs 0.4 MB")
    assert "cache.max_bytes is 0.2 MB" in r.message
    assert [h.path for h in server.take_hits()] == ["/v1/manifest.json"]
    assert cache.live_state().live_version_id is None


def test_the_previous_version_is_given_up_when_the_quota_needs_it(cache, server, src, tree) -> None:
    assert run(cache, server).outcome == Outcome.UPDATED          # v1: video 1
    os.remove(src / "media" / VIDEO)
    text = (src / "playlists" / "lobby.toml").read_text()
    (src / "playlists" / "lobby.toml").write_text(text.replace("media/clip.mp4", "media/b.mp4"))
    add_video(src, "b.mp4", seed=3)
    text = (src / "playlists" / "lobby.toml").read_text()
    publish(src, tree)
    assert run(cache, server).outcome == Outcome.UPDATED          # v2: videos 3, (previous: v1)
    v2 = cache.live_state().live_version_id
    (src / "playlists" / "lobby.toml").write_text(text.replace("media/b.mp4", "media/c.mp4"))
    os.remove(src / "media" / "b.mp4")
    add_video(src, "c.mp4", seed=4)
    publish(src, tree)
    # live (v2) + new (v3) fit in 1.2 MB, but not with v1's files too
    r = run(cache, server, max_cache_bytes=1_200_000)
    assert r.outcome == Outcome.UPDATED, r.message
    state = cache.live_state()
    assert state.previous_version_id == v2
    assert cache.store.bytes_used() <= 1_200_000
    assert_store_is_clean(cache)


def test_a_file_corrupted_or_deleted_behind_the_cache_is_fetched_again(cache, server, src) -> None:
    assert run(cache, server).outcome == Outcome.UPDATED
    sha = video_sha(src)
    png = next(d for d in cache.store.list_digests() if d != sha)
    path = cache.store.path_for(sha)
    path.write_bytes(b"\x00" * VIDEO_SIZE)          # same size, wrong bytes
    cache.store.path_for(png).unlink()               # deleted
    report = cache.verify_live(NOW, hash_budget_s=10)
    assert report.missing == (png,) and report.corrupt == (sha,)
    assert cache.media_problems() == {png: "missing", sha: "corrupt"}
    server.take_hits()
    r = run(cache, server)
    assert r.outcome == Outcome.UNCHANGED and r.files_fetched == 2
    assert "2 missing file(s) fetched again" in r.message
    assert sorted(h.path for h in server.take_hits()) == sorted(
        ["/v1/manifest.json", f"/v1/media/{sha}", f"/v1/media/{png}"])
    assert cache.media_problems() == {}
    assert_store_is_clean(cache)


def test_names_from_the_server_never_become_paths(cache, server, tree, tmp_path) -> None:
    import json

    path = tree / "v1" / "manifest.json"
    doc = json.loads(path.read_bytes())
    doc["media"][0]["name"] = "../../../../escape.txt"
    doc["version"] = "c-evil-names"
    path.write_text(json.dumps(doc))
    r = run(cache, server)
    assert r.outcome == Outcome.UPDATED
    assert not list(tmp_path.rglob("escape.txt"))
    store_root = cache.store.root.resolve()
    manifests = (cache.root / "manifests").resolve()
    for p in cache.root.rglob("*"):
        if p.is_file() and p.suffix not in (".sqlite", ".sqlite-wal", ".sqlite-shm", ".lock"):
            kept_manifest = p.resolve() == manifests / "c-evil-names.json"
            assert p.resolve().is_relative_to(store_root) or kept_manifest, p
    # and an id shaped like a path is refused before anything is written
    doc["playlists"][0]["items"][0]["id"] = "../../etc/passwd"
    doc["version"] = "c-evil-id"
    path.write_text(json.dumps(doc))
    before = sorted(p.name for p in cache.root.rglob("*"))
    r = run(cache, server)
    assert r.outcome == Outcome.INVALID
    assert "playlists[0].items[0].id: '../../etc/passwd' has an invalid format" in r.message
    assert sorted(p.name for p in cache.root.rglob("*")) == before

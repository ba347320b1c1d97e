from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from content_cache import (
    ContentCache,
    ContentVersion,
    MissingMediaError,
    Playlist,
    PlaylistItem,
    VersionMedia,
)

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _version(vid: str, sha: str, size: int) -> ContentVersion:
    v = ContentVersion(
        id=vid, schema_version=1, published_at=NOW, received_at=NOW, manifest_sha256="0" * 64,
        etag=f'"{vid}"', site_id="t", site_name={"fr": "Testville"}, timezone="Europe/Paris",
        languages=["fr"], default_playlist="lobby",
    )
    v.media = [VersionMedia(sha256=sha, size=size, mime_type="image/png", name="a.png")]
    pl = Playlist(id="lobby", name={"fr": "Hall"})
    pl.items = [PlaylistItem(playlist_id="lobby", position=0, id="one", kind="image",
                             media_sha256=sha, duration_s=5.0)]
    v.playlists = [pl]
    return v


def _put(cache: ContentCache, data: bytes) -> tuple[str, int]:
    sha = hashlib.sha256(data).hexdigest()
    cache.store.put_verified([data], sha, len(data))
    return sha, len(data)


def test_every_connection_gets_wal_foreign_keys_and_busy_timeout(cache: ContentCache) -> None:
    for _ in range(2):
        with cache.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    # a raw second engine on the same file reads the WAL mode persisted in the file
    import sqlite3

    raw = sqlite3.connect(cache.db_path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_switch_keeps_previous_and_drops_older_versions(cache: ContentCache) -> None:
    shas = [_put(cache, f"file {i}".encode()) for i in range(3)]
    for i, (sha, size) in enumerate(shas):
        state = cache.install_version(_version(f"v{i}", sha, size), NOW)
        assert state.live_version_id == f"v{i}"
        assert state.generation == i + 1
    assert state.previous_version_id == "v1"
    with cache.session() as s:
        ids = set(s.scalars(text("SELECT id FROM content_version")))
        items = s.execute(text("SELECT version_id FROM playlist_item")).scalars().all()
    assert ids == {"v1", "v2"}
    assert sorted(items) == ["v1", "v2"]
    live = cache.read_live()
    assert live is not None and live.version_id == "v2"
    item = live.playlist().items[0]
    assert item.media is not None and item.media.path.read_bytes() == b"file 2"


def test_version_with_a_missing_file_is_refused_and_nothing_changes(cache: ContentCache) -> None:
    sha, size = _put(cache, b"good")
    cache.install_version(_version("v1", sha, size), NOW)
    with pytest.raises(MissingMediaError, match="v2: 1 media file"):
        cache.install_version(_version("v2", "c" * 64, 10), NOW)
    state = cache.live_state()
    assert (state.live_version_id, state.generation) == ("v1", 1)
    with cache.session() as s:
        assert s.execute(text("SELECT count(*) FROM content_version")).scalar() == 1


def test_garbage_collection_keeps_live_and_previous_files(cache: ContentCache) -> None:
    shas = [_put(cache, f"file {i}".encode()) for i in range(3)]
    for i, (sha, size) in enumerate(shas):
        cache.install_version(_version(f"v{i}", sha, size), NOW)
    removed = cache.collect_garbage()
    assert removed == [shas[0][0]]
    assert cache.store.list_digests() == {shas[1][0], shas[2][0]}


def test_going_back_to_the_previous_version_reuses_its_rows(cache: ContentCache) -> None:
    a, b = _put(cache, b"a"), _put(cache, b"b")
    cache.install_version(_version("va", *a), NOW)
    cache.install_version(_version("vb", *b), NOW)
    state = cache.install_version(_version("va", *a), NOW)
    assert (state.live_version_id, state.previous_version_id) == ("va", "vb")
    assert cache.read_live().playlist().items[0].media.sha256 == a[0]


def test_empty_cache_has_no_live_content(tmp_path: Path) -> None:
    with ContentCache(tmp_path / "c") as c:
        assert c.read_live() is None
        assert c.live_state().generation == 0


def test_new_version_rows_keep_column_defaults_and_sql_nulls(cache: ContentCache) -> None:
    """A version's rows get the models' defaults for unset columns, and SQL NULL for a JSON
    column unset or set to None (never the JSON text 'null', which no reader tells apart)."""
    sha, size = _put(cache, b"poster")
    v = _version("v1", sha, size)
    v.playlists[0].items.append(PlaylistItem(playlist_id="lobby", position=1, id="two", kind="image",
                                             media_sha256=sha, caption=None, priority=2, weight=3))
    cache.install_version(v, NOW)
    with cache.session() as s:
        items = s.execute(text(
            "SELECT version_id, playlist_id, position, priority, weight, skip_holidays, typeof(caption),"
            " typeof(tags) FROM playlist_item ORDER BY position")).all()
        media = s.execute(text("SELECT version_id, sha256, size, typeof(duration_s) FROM version_media")).all()
        version = s.execute(text("SELECT typeof(neutrality), typeof(holidays), site_name FROM content_version")).one()
        files = s.execute(text("SELECT sha256, size, problem FROM media_file")).all()
    assert items == [("v1", "lobby", 0, 0, 1, 0, "null", "null"), ("v1", "lobby", 1, 2, 3, 0, "null", "null")]
    assert media == [("v1", sha, size, "null")]
    assert version == ("null", "null", '{"fr": "Testville"}')
    assert files == [(sha, size, None)]

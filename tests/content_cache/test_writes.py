"""The cache's SQL writes (content_cache.writes) against the models they stand beside:
the same schema, the same stored values, the same defaults; and the light way of opening
the cache (content_cache.LightCache) against the full one."""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from content_cache import SCHEMA_VERSION, ContentCache, LightCache, SchemaMismatch, SyncRunRecord, VersionRows
from content_cache.models import Base, Bulletin, ContentVersion, MediaFile, PlaylistItem, VersionMedia
from content_cache.writes import COLUMN_DEFAULTS, insert_rows

PARIS_WINTER = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=PARIS_WINTER)


def _schema(db: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        version = con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()
    return [(t, n, " ".join((sql or "").split())) for t, n, sql in rows] + [("user_version", str(version), "")]


def test_a_database_created_without_sqlalchemy_is_the_one_the_models_create(tmp_path: Path) -> None:
    with ContentCache(tmp_path / "full"):
        pass
    with LightCache(tmp_path / "light"):
        pass
    full, light = _schema(tmp_path / "full" / "cache.sqlite"), _schema(tmp_path / "light" / "cache.sqlite")
    assert light == full, "content_cache.schema.create_statement differs from SQLAlchemy's; it creates:\n" + "\n".join(
        sql for _t, _n, sql in full if sql
    )


def test_the_sql_writes_defaults_are_the_models_defaults() -> None:
    models = {
        table.name: {c.name: c.default.arg for c in table.columns if c.default is not None and not c.nullable}
        for table in Base.metadata.sorted_tables
    }
    written_in_sql = ("content_version", "media_file", "version_media", "playlist", "playlist_item",
                      "bulletin", "kiosk_document", "live_pointer", "sync_run", "alert_overlay")
    for table in written_in_sql:
        assert models[table] == COLUMN_DEFAULTS.get(table, {}), table


def _put(cache: LightCache | ContentCache, data: bytes) -> tuple[str, int]:
    sha = hashlib.sha256(data).hexdigest()
    cache.store.put_verified([data], sha, len(data))
    return sha, len(data)


def _rows(vid: str, sha: str, size: int) -> VersionRows:
    return VersionRows(
        version=dict(
            id=vid, schema_version=1, published_at=NOW - timedelta(hours=1), received_at=NOW,
            manifest_sha256="0" * 64, etag=f'"{vid}"', site_id="t", site_name={"fr": "Saint-Étienne-lès-Orgues"},
            timezone="Europe/Paris", languages=["fr", "en"], default_playlist="lobby",
            holidays=[{"date": "2026-12-25", "label": {"fr": "Noël"}}], neutrality=None,
        ),
        media=(dict(sha256=sha, size=size, mime_type="image/png", name="affiche.png", duration_s=None),),
        bulletins=(
            dict(id="b1", category="roads", severity="critical", title={"fr": "Route fermée"},
                 body={"fr": "Déviation"}, valid_from=NOW, valid_until=None, alert="banner"),
        ),
        playlists=(dict(id="lobby", name={"fr": "Hall"}),),
        items=(
            dict(playlist_id="lobby", position=0, id="one", kind="image", media_sha256=sha, duration_s=7.5,
                 valid_from=NOW, valid_until=NOW + timedelta(days=2), caption={"fr": "À l'affiche"},
                 weekdays=["mon", "tue"], dayparts=[{"from": "22:00", "to": "06:00"}], skip_holidays=True, priority=2, weight=3,
                 tags=["hall"], category="culture"),
            dict(playlist_id="lobby", position=1, id="two", kind="bulletin", bulletin_id="b1", caption=None),
        ),
        kiosk_documents=(dict(section="services", id="mairie", body={"id": "mairie", "order": 1}),),
    )


def test_rows_written_in_sql_read_back_through_the_models_as_given(tmp_path: Path) -> None:
    with LightCache(tmp_path / "c") as light:
        sha, size = _put(light, b"affiche")
        rows = _rows("v1", sha, size)
        state = light.install_version(rows, NOW)
        assert (state.live_version_id, state.generation) == ("v1", 1)
        light.record_sync_run(SyncRunRecord(NOW, NOW + timedelta(seconds=2), "updated", "v1", 1, size, "ok"))
    with ContentCache(tmp_path / "c") as cache, cache.session() as s:
        v = s.get(ContentVersion, "v1")
        assert v is not None
        for key, value in rows.version.items():
            assert getattr(v, key) == value, key
        assert v.received_at.utcoffset() == timedelta(0)  # stored in UTC, read back aware
        items = s.scalars(select(PlaylistItem).order_by(PlaylistItem.position)).all()
        for row, item in zip(rows.items, items, strict=False):
            for key, value in row.items():
                assert getattr(item, key) == value, key
        assert (items[1].skip_holidays, items[1].priority, items[1].weight, items[1].caption) == (False, 0, 1, None)
        b = s.get(Bulletin, ("v1", "b1"))
        assert (b.title, b.valid_from, b.alert) == ({"fr": "Route fermée"}, NOW, "banner")
        assert s.get(VersionMedia, ("v1", sha)).duration_s is None
        assert s.get(MediaFile, sha).verified_at == NOW
        assert cache.last_sync_runs() == [
            SyncRunRecord(NOW, NOW + timedelta(seconds=2), "updated", "v1", 1, size, "ok")
        ]
        live = cache.read_live()
        assert live is not None and live.playlist().items[0].caption.get("fr") == "À l'affiche"


def test_a_column_name_that_is_not_in_the_table_is_refused(tmp_path: Path) -> None:
    with LightCache(tmp_path / "c") as light, light._sql() as con, \
            pytest.raises(KeyError, match="playlist: no column 'titel'"):
            insert_rows(con, "playlist", [{"id": "p", "name": {}, "titel": "x"}], version_id="v")


def test_both_ways_of_opening_write_the_same_rows(tmp_path: Path) -> None:
    """The daemon (ContentCache) and `sync --once` (LightCache) run the same SQL; the
    full cache also takes a version as models objects."""
    dumps = []
    for kind in (LightCache, ContentCache):
        with kind(tmp_path / kind.__name__) as cache:
            sha, size = _put(cache, b"affiche")
            cache.install_version(_rows("v1", sha, size), NOW)
            same = _rows("v2", sha, size).bulletins[0]  # its times given in Paris time, stored in UTC
            assert not cache.set_alert_overlay("v2", [same], NOW)  # the same alert already plays
            assert cache.set_alert_overlay("v2", [{**same, "title": {"fr": "Route rouverte"}}], NOW)
            con = sqlite3.connect(cache.db_path)
            tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            dumps.append({t: sorted(map(repr, con.execute(f"SELECT * FROM {t}"))) for t in tables})
            con.close()
    assert dumps[0] == dumps[1]
    assert dumps[0]["alert_overlay"] and dumps[0]["playlist_item"]


def test_the_light_cache_opens_only_its_own_schema(tmp_path: Path) -> None:
    with LightCache(tmp_path / "c"):
        pass
    con = sqlite3.connect(tmp_path / "c" / "cache.sqlite")
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")
    con.close()
    with pytest.raises(SchemaMismatch, match=f"schema {SCHEMA_VERSION - 1}"):
        LightCache(tmp_path / "c").open()

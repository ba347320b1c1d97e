"""The live content read with the standard library's sqlite3 (content_cache.live_read):
every column the models write comes back as the snapshot values the player uses."""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from content_cache import (
    SCHEMA_VERSION,
    Bulletin,
    ContentCache,
    ContentVersion,
    DayPart,
    Holiday,
    KioskDocument,
    LiveReader,
    LocalText,
    Playlist,
    PlaylistItem,
    SchemaMismatch,
    VersionMedia,
)

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
FROM = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
UNTIL = datetime(2026, 12, 24, 22, 59, 59, 250000, tzinfo=UTC)


def _rich_version(vid: str, sha: str, size: int) -> ContentVersion:
    v = ContentVersion(
        id=vid, schema_version=1, published_at=NOW, received_at=NOW, manifest_sha256="0" * 64,
        etag=f'"{vid}"', site_id="t", site_name={"fr": "Testville", "en": "Testtown"},
        timezone="Europe/Paris", languages=["fr", "en"], default_playlist="lobby",
        holidays=[{"date": "2026-12-25", "label": {"fr": "Noël"}}],
        neutrality={"elections": [{"name": "Municipales", "first_round": "2026-03-15"}]},
    )
    v.media = [VersionMedia(sha256=sha, size=size, mime_type="video/mp4", name="clip.mp4", duration_s=12.5)]
    v.bulletins = [
        Bulletin(id="b1", category="travaux", severity="info", title={"fr": "Rue Haute"},
                 body={"fr": "Fermée", "en": "Closed"}, valid_from=FROM, valid_until=UNTIL),
        Bulletin(id="a1", category="securite", severity="critical", title={"fr": "Crue"},
                 body={"fr": "Évacuez"}, alert="fullscreen"),
    ]
    lobby = Playlist(id="lobby", name={"fr": "Hall"})
    lobby.items = [
        PlaylistItem(playlist_id="lobby", position=0, id="clip", kind="video", media_sha256=sha,
                     duration_s=None, valid_from=FROM, valid_until=UNTIL, caption={"fr": "Le parc"},
                     weekdays=["mon", "sat"], dayparts=[{"from": "22:00", "to": "06:00"}],
                     skip_dates=["2026-12-31"], skip_holidays=True, priority=2, weight=3,
                     languages=["fr"], tags=["bilan", "parc"], category="culture"),
        PlaylistItem(playlist_id="lobby", position=1, id="news", kind="bulletin", bulletin_id="b1",
                     duration_s=8.0),
    ]
    other = Playlist(id="night", name={"fr": "Nuit"})
    other.items = []
    v.playlists = [lobby, other]
    v.kiosk_documents = [
        KioskDocument(section="places", id="park", body={"id": "park", "order": 2, "title": {"fr": "Parc"}}),
        KioskDocument(section="places", id="hall", body={"id": "hall", "order": 1, "title": {"fr": "Mairie"}}),
        KioskDocument(section="news", id="n1", body={"id": "n1", "title": {"fr": "Piscine"}}),
    ]
    return v


@pytest.fixture
def live(cache: ContentCache) -> tuple[ContentCache, str]:
    data = b"\x00\x00\x00\x18ftypmp42 not really a video"
    sha = hashlib.sha256(data).hexdigest()
    cache.store.put_verified([data], sha, len(data))
    cache.install_version(_rich_version("v1", sha, len(data)), NOW)
    return cache, sha


def test_every_column_comes_back_as_the_player_values(live: tuple[ContentCache, str]) -> None:
    cache, sha = live
    with LiveReader(cache.db_path, cache.store) as reader:
        content = reader.read_live()
        state = reader.live_state()
    assert content is not None
    assert (state.live_version_id, state.generation, state.etag, state.switched_at) == ("v1", 1, '"v1"', NOW)
    assert content.version_id == "v1" and content.generation == 1
    assert content.published_at == NOW and content.published_at.tzinfo is UTC
    assert content.site_name.get("en") == "Testtown" and content.languages == ("fr", "en")
    assert content.holidays == (Holiday(date(2026, 12, 25), LocalText.from_mapping({"fr": "Noël"})),)
    assert content.neutrality == {"elections": [{"name": "Municipales", "first_round": "2026-03-15"}]}
    assert set(content.playlists) == {"lobby", "night"}
    assert content.playlists["night"].items == ()
    clip, news = content.playlists["lobby"].items
    assert clip.media is not None and clip.media.path == cache.store.path_for(sha)
    assert (clip.media.mime_type, clip.media.duration_s, clip.media.name) == ("video/mp4", 12.5, "clip.mp4")
    assert (clip.valid_from, clip.valid_until) == (FROM, UNTIL)
    assert clip.weekdays == frozenset({0, 5}) and clip.dayparts == (DayPart(22 * 60, 6 * 60),)
    assert clip.skip_dates == frozenset({date(2026, 12, 31)}) and clip.skip_holidays is True
    assert (clip.priority, clip.weight, clip.category) == (2, 3, "culture")
    assert clip.languages == frozenset({"fr"}) and clip.tags == frozenset({"bilan", "parc"})
    assert clip.caption.get("fr") == "Le parc" and clip.duration_s is None
    assert news.bulletin is not None and news.bulletin.valid_until == UNTIL
    assert news.bulletin.body.get("en") == "Closed" and news.duration_s == 8.0
    # defaults the models fill in (no rule given) read back as "no rule"
    assert (news.weekdays, news.dayparts, news.tags, news.priority, news.weight) == (frozenset(), (), frozenset(), 0, 1)
    assert [b.id for b in content.bulletins] == ["a1", "b1"]
    assert content.bulletins[0].alert == "fullscreen"
    assert [d["id"] for d in content.kiosk_sections["places"]] == ["hall", "park"]
    # ContentCache.read_live is this same read
    assert cache.read_live() == content


def test_alert_overlay_replaces_the_live_alerts(live: tuple[ContentCache, str]) -> None:
    cache, _sha = live
    newer = Bulletin(id="a2", category="securite", severity="warning", title={"fr": "Verglas"},
                     body={"fr": "Prudence"}, valid_until=UNTIL, alert="banner")
    assert cache.set_alert_overlay("v2", [newer], NOW)
    content = cache.reader.read_live()
    assert content is not None and content.generation == 2
    assert [b.id for b in content.bulletins] == ["a2", "b1"]  # a1 (an alert of v1) withdrawn
    a2 = content.bulletins[0]
    assert (a2.alert, a2.severity, a2.valid_until, a2.title.get("fr")) == ("banner", "warning", UNTIL, "Verglas")


def test_before_the_first_sync_there_is_nothing_live(cache: ContentCache) -> None:
    reader = LiveReader(cache.db_path, cache.store).open()
    assert reader.read_live() is None
    assert reader.live_state().live_version_id is None
    reader.close()


def test_another_schema_or_no_database_is_not_read(tmp_path: Path, cache: ContentCache) -> None:
    with pytest.raises(SchemaMismatch, match="no cache database"):
        LiveReader(tmp_path / "none.sqlite", cache.store).open()
    con = sqlite3.connect(cache.db_path)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")
    con.commit()
    con.close()
    with pytest.raises(SchemaMismatch, match=f"schema {SCHEMA_VERSION - 1}"):
        LiveReader(cache.db_path, cache.store).open()


def test_the_reader_never_writes(live: tuple[ContentCache, str]) -> None:
    cache, _sha = live
    with LiveReader(cache.db_path, cache.store) as reader, pytest.raises(sqlite3.OperationalError):
        reader.con.execute("DELETE FROM live_pointer")


def test_reading_imports_no_sqlalchemy(live: tuple[ContentCache, str]) -> None:
    cache, _sha = live
    code = (
        "import sys\n"
        "from content_cache import MediaStore\n"
        "from content_cache.live_read import LiveReader\n"
        f"r = LiveReader({str(cache.db_path)!r}, MediaStore({str(cache.store.root)!r})).open()\n"
        "c = r.read_live()\n"
        "print(c.version_id, len(c.playlists['lobby'].items), 'sqlalchemy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["v1", "2", "False"]

"""After a software upgrade that changes the cache schema, a device still starts offline
with its content: versions are rebuilt from the kept manifests and the stored media."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from content_cache import SCHEMA_VERSION, ContentCache
from hub.publisher import publish
from hub.refserver import ContentTreeServer
from kiosk.device.cache import open_cache
from sync import ContentApiClient, SyncSettings, sync_once

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_an_outdated_database_is_set_aside_and_live_and_previous_versions_come_back(
    tmp_path: Path, source: Path, published: Path, server: ContentTreeServer
) -> None:
    data = tmp_path / "device"
    with ContentCache(data / "cache") as cache:
        first = sync_once(cache, ContentApiClient(SyncSettings(api_url=server.url)), now=lambda: NOW).live_version
        text = (source / "bulletins" / "news.toml").read_text().replace("Circulation alternée.", "Rue fermée.")
        (source / "bulletins" / "news.toml").write_text(text)
        publish(source, published)
        second = sync_once(cache, ContentApiClient(SyncSettings(api_url=server.url)), now=lambda: NOW).live_version
        before = cache.read_live()
    assert first != second
    assert sorted(p.name for p in (data / "cache" / "manifests").iterdir()) == sorted([f"{first}.json", f"{second}.json"])
    server.stop()  # offline from here on

    con = sqlite3.connect(data / "cache" / "cache.sqlite")
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")  # as written by the old software
    con.close()

    with open_cache(data, lambda: NOW) as cache:
        assert cache.set_aside == data / "cache" / f"cache.sqlite.schema{SCHEMA_VERSION - 1}"
        state = cache.live_state()
        after = cache.read_live()
    assert (state.live_version_id, state.previous_version_id) == (second, first)
    assert [i.id for i in after.playlist().items] == [i.id for i in before.playlist().items]
    assert after.playlist().items[3].bulletin.body.get("fr") == "Rue fermée."
    con = sqlite3.connect(data / "cache" / "cache.sqlite")
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()

"""What the sources give meets the hand-written content: the hand-written wins on the same
id, a poster for a missing playlist is one warning, a section never outgrows what devices take."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.publisher import publish
from hub.sources import SourcesRun
from hub.sources.merge import SECTION_LIMITS

from .server import SourceServer
from .town import NOW, write_town


@pytest.fixture
def server() -> Iterator[SourceServer]:
    srv = SourceServer()
    yield srv
    srv.stop()


def _publish(src: Path, tmp_path: Path) -> tuple[dict, tuple[str, ...]]:
    r = publish(src, tmp_path / "tree", NOW, sources=SourcesRun(src, tmp_path / "state", now=NOW))
    return json.loads(r.manifest_path.read_bytes()), r.warnings


def test_a_hand_written_page_with_a_source_items_id_replaces_it(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("rss",))
    manifest, _ = _publish(src, tmp_path)
    works = next(d for d in manifest["kiosk"]["news"] if d["title"]["fr"].startswith("Travaux rue Haute"))
    (src / "kiosk").mkdir()
    (src / "kiosk" / "news.toml").write_text(
        f'[[news]]\nid = "{works["id"]}"\ndate = 2026-11-25\n[news.title]\nfr = "Travaux rue Haute (corrigé)"\n',
        encoding="utf-8")
    (src / "bulletins" / "override.toml").write_text(
        f'[[bulletins]]\nid = "{works["id"]}"\ncategory = "works"\nseverity = "info"\n'
        '[bulletins.title]\nfr = "Rue Haute : alternat"\n', encoding="utf-8")
    manifest, _ = _publish(src, tmp_path)
    same = [d for d in manifest["kiosk"]["news"] if d["id"] == works["id"]]
    assert [d["title"]["fr"] for d in same] == ["Travaux rue Haute (corrigé)"] and "source" not in same[0]
    assert [b["title"]["fr"] for b in manifest["bulletins"] if b["id"] == works["id"]] == ["Rue Haute : alternat"]
    assert len(manifest["kiosk"]["news"]) == 3  # the two other articles still come from the feed


def test_posters_for_a_playlist_that_does_not_exist_are_one_warning(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("rss",))
    (src / "sources.toml").write_text((src / "sources.toml").read_text().replace('"lobby"', '"hall"'))
    manifest, warnings = _publish(src, tmp_path)
    assert ('source "rss": poster_playlist: no playlist has id \'hall\'; its posters are left out '
            "(expected one of lobby)") in warnings
    assert [i["id"] for i in manifest["playlists"][0]["items"]] == ["img-0", "img-1", "img-2", "news"]
    assert len(manifest["media"]) == 4  # the article's picture is still listed: its page shows it


def test_a_section_never_outgrows_what_devices_take(tmp_path: Path, server: SourceServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SECTION_LIMITS, "news", 2)
    src = write_town(tmp_path, server, ("rss",))
    manifest, warnings = _publish(src, tmp_path)
    assert len(manifest["kiosk"]["news"]) == 2
    assert 'source "rss": news: 3 documents but room for 2 (devices take 2); the last ones are left out' in warnings

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.paths import demo_source_dir
from kiosk.publisher import PublishError, publish
from sync import parse_manifest


def test_published_tree_holds_a_valid_manifest_and_media_by_hash(tmp_path: Path, source: Path) -> None:
    r = publish(source, tmp_path / "tree", datetime(2026, 11, 26, 8, tzinfo=timezone.utc))
    body = (tmp_path / "tree" / "v1" / "manifest.json").read_bytes()
    m = parse_manifest(body)
    assert m.version == r.version and r.changed
    assert m.published_at == datetime(2026, 11, 26, 8, tzinfo=timezone.utc)
    assert len(m.media) == 3
    for entry in m.media:
        data = (tmp_path / "tree" / "v1" / "media" / entry.sha256).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.sha256 and len(data) == entry.size
    doc = json.loads(body)
    items = doc["playlists"][0]["items"]
    assert [i["id"] for i in items] == ["img-0", "img-1", "img-2", "news"]
    assert "file" not in items[0] and items[0]["media"] in {e.sha256 for e in m.media}


def test_republishing_unchanged_content_changes_nothing(tmp_path: Path, source: Path) -> None:
    first = publish(source, tmp_path / "tree")
    manifest = tmp_path / "tree" / "v1" / "manifest.json"
    before = (manifest.read_bytes(), manifest.stat().st_mtime_ns)
    again = publish(source, tmp_path / "tree")
    assert not again.changed and again.version == first.version
    assert (manifest.read_bytes(), manifest.stat().st_mtime_ns) == before


def test_changed_content_gets_a_new_version(tmp_path: Path, source: Path) -> None:
    first = publish(source, tmp_path / "tree")
    text = (source / "bulletins" / "news.toml").read_text().replace("Circulation alternée.", "Rue fermée.")
    (source / "bulletins" / "news.toml").write_text(text)
    second = publish(source, tmp_path / "tree")
    assert second.changed and second.version != first.version


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda src: (src / "media" / "img1.png").unlink(),
         "playlists/lobby.toml: items[1].file: media/img1.png not found"),
        (lambda src: _replace(src / "playlists" / "lobby.toml", "media/img2.png", "../../etc/passwd"),
         "playlists/lobby.toml: items[2].file: '../../etc/passwd' points outside the source folder"),
        (lambda src: _replace(src / "playlists" / "lobby.toml", 'duration = 5\n', 'duration = "long"\n'),
         "items[0].duration: 'long' is not of type number"),
        (lambda src: _replace(src / "playlists" / "lobby.toml", "[name]", "[name"),
         "playlists/lobby.toml: Expected ']' at the end of a table declaration"),
        (lambda src: (src / "media" / "img0.png").write_bytes(b"GIF89a not a png"),
         "items[0].file: media/img0.png is not a valid image/png file"),
        (lambda src: _replace(src / "site.toml", "Europe/Paris", "Europe/Nowhere"),
         "site.toml: site.timezone: unknown time zone 'Europe/Nowhere'"),
    ],
)
def test_source_problems_name_file_and_key(tmp_path: Path, source: Path, edit, expected: str) -> None:
    publish(source, tmp_path / "tree")
    before = (tmp_path / "tree" / "v1" / "manifest.json").read_bytes()
    edit(source)
    with pytest.raises(PublishError) as exc:
        publish(source, tmp_path / "tree")
    assert any(expected in p for p in exc.value.problems), exc.value.problems
    assert (tmp_path / "tree" / "v1" / "manifest.json").read_bytes() == before


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_bundled_demo_content_publishes(tmp_path: Path) -> None:
    r = publish(demo_source_dir(), tmp_path / "demo")
    m = parse_manifest((tmp_path / "demo" / "v1" / "manifest.json").read_bytes())
    doc = m.document
    kinds = [i["type"] for i in doc["playlists"][0]["items"]]
    assert kinds.count("image") >= 3 and kinds.count("video") == 1 and kinds.count("bulletin") >= 3
    assert any(b["severity"] == "critical" for b in doc["bulletins"])
    assert len(doc["kiosk"]["services"]) >= 2
    assert all(s["hours"]["weekly"] for s in doc["kiosk"]["services"])
    assert len(doc["kiosk"]["menus"][0]["days"]) >= 5
    assert set(doc["site"]["languages"]) >= {"fr", "en"}
    assert r.media_count == len(m.media) >= 5

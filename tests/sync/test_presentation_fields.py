"""The signage look's content fields reach the player: a source folder with per-orientation
files, fit and focus, a caption over the picture, a bulletin's link and picture, site and
playlist layouts and a forecast section is published, served, synced through the real CLI
and read back from the device's cache as the player's values."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from content_cache import ContentCache, Layout
from hub.publisher import PublishError, publish
from sync import ManifestError, validate_document

from ..e2e.device import synced_device
from ..helpers import manifest_doc, write_png, write_source


def _rich_source(root: Path) -> Path:
    src = write_source(root, images=1)
    write_png(src / "media" / "tall.png", (10, 120, 200), size=(180, 320))
    write_png(src / "media" / "photo.png", (200, 120, 10))
    site = src / "site.toml"
    site.write_text(site.read_text() + '\n[site.layout]\nside_zone = ["clock", "events"]\nevents = 2\n')
    lobby = src / "playlists" / "lobby.toml"
    text = lobby.read_text().replace('[name]\nfr = "Hall"\n',
                                     'fit = "cover"\n[name]\nfr = "Hall"\n[layout]\nside_zone = ["alerts", "clock"]\n')
    text = text.replace('file = "media/img0.png"\n',
                        'file = "media/img0.png"\nfile_portrait = "media/tall.png"\nfit = "contain"\n'
                        'focus = { x = 0.25, y = 0.75 }\ncaption_position = "over"\n')
    lobby.write_text(text)
    news = src / "bulletins" / "news.toml"
    news.write_text(news.read_text().replace(
        'severity = "warning"\n',
        'severity = "warning"\nlink = "https://valbruyere.example/travaux"\npicture = "media/photo.png"\n'))
    (src / "kiosk").mkdir(exist_ok=True)
    (src / "kiosk" / "forecast.toml").write_text(
        '[[forecast]]\nid = "d20261207"\ndate = 2026-12-07\nlow = -1\nhigh = 6\n'
        '[forecast.summary]\nfr = "Éclaircies"\nen = "Sunny spells"\n')
    return src


def test_look_fields_travel_from_the_source_folder_to_the_players_values(tmp_path: Path) -> None:
    data = synced_device(tmp_path, _rich_source(tmp_path / "src"))
    with ContentCache(data / "cache") as cache:
        content = cache.read_live()
    assert content is not None
    assert content.layout == Layout(("clock", "events"), 2)
    lobby = content.playlist()
    assert lobby is not None and lobby.fit == "cover"
    assert lobby.layout == Layout(("alerts", "clock"), 3)
    assert content.layout_for() == lobby.layout
    img = next(i for i in lobby.items if i.id == "img-0")
    assert img.look.fit == "contain" and img.look.focus == (0.25, 0.75) and img.look.caption_over
    assert img.look.portrait is not None and img.look.portrait.name == "tall.png"
    assert img.look.landscape is None
    assert img.look.media_for((1080, 1920), img.media) == img.look.portrait
    assert img.look.media_for((1920, 1080), img.media) == img.media
    assert img.look.portrait.path.is_file()  # downloaded with the rest
    news = next(i for i in lobby.items if i.id == "news")
    assert news.look.fit == "cover"  # the playlist's fit, the item having none
    works = next(b for b in content.bulletins if b.id == "works")
    assert works.link == "https://valbruyere.example/travaux"
    assert works.picture is not None and works.picture.name == "photo.png" and works.picture.path.is_file()
    forecast = content.kiosk_sections["forecast"]
    assert forecast[0]["date"] == "2026-12-07" and forecast[0]["summary"]["en"] == "Sunny spells"


def test_an_orientation_file_of_the_wrong_kind_is_refused_naming_the_field(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", images=1)
    (src / "media" / "clip.mp4").write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 64)
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace('file = "media/img0.png"\n',
                                               'file = "media/img0.png"\nfile_portrait = "media/clip.mp4"\n'))
    with pytest.raises(PublishError) as e:
        publish(src, tmp_path / "tree")
    assert any('item "img-0": file_portrait: media/clip.mp4 is a video; this field takes image' in p
               for p in e.value.problems), e.value.problems


def test_manifest_references_to_unlisted_files_are_refused() -> None:
    doc = manifest_doc()
    doc["playlists"][0]["items"][0]["media_portrait"] = "b" * 64
    doc["bulletins"] = [{"id": "b1", "category": "info", "severity": "info", "title": {"fr": "T"},
                         "picture": "c" * 64}]
    with pytest.raises(ManifestError) as e:
        validate_document(json.loads(json.dumps(doc)))
    text = "\n".join(e.value.problems)
    assert "items[0].media_portrait: " + "b" * 64 + " is not in the media list" in text
    assert "bulletins[0].picture: " + "c" * 64 + " is not an image in the media list" in text


@pytest.mark.parametrize("field, value", [("fit", "stretch"), ("focus", {"x": 1.5, "y": 0}),
                                          ("caption_position", "top")])
def test_bad_look_values_are_refused_by_the_schema(field: str, value: object) -> None:
    doc = manifest_doc()
    doc["playlists"][0]["items"][0][field] = value
    with pytest.raises(ManifestError) as e:
        validate_document(doc)
    assert any(field in p for p in e.value.problems), e.value.problems

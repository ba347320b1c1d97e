"""Uploads are decoded before anything reaches the content folder: a 30000×30000 PNG, a
corrupt JPEG, an HTML file named .jpg and a truncated MP4 are each refused with a clear
message, and nothing is written; a large poster is reduced to the screens' size; the stored
name comes from the bytes, never from the name it was sent with."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image

from hub.editor.uploads import UploadRefused, check_upload
from hub.fleet.roles import Role

from ..helpers import write_source
from . import editor_media
from .editor_harness import in_english
from .harness import Hub, csrf, start_hub, stop_hub

SCREEN = (1920, 1080)


def _refusal(tmp_path: Path, data: bytes, kind: str, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UploadRefused) as e:
        check_upload(path, kind, SCREEN, tmp_path / "work")
    return str(e.value)


def test_hostile_and_broken_files_are_refused_each_with_its_reason(tmp_path: Path) -> None:
    bomb = _refusal(tmp_path, editor_media.png_bomb(), "image", "bomb.png")
    assert "too large to be decoded safely" in bomb and "40 million pixels" in bomb
    assert "damaged or cut short" in _refusal(tmp_path, editor_media.corrupt_jpeg(), "image", "broken.jpg")
    assert "not a picture the screens can show" in _refusal(tmp_path, editor_media.HTML_AS_JPEG, "image", "a.jpg")
    assert "cut short" in _refusal(tmp_path, editor_media.truncated_mp4(tmp_path), "video", "cut.mp4")
    assert "not a video" in _refusal(tmp_path, editor_media.jpeg(), "video", "poster.mp4")
    assert not (tmp_path / "work").exists() or not list((tmp_path / "work").iterdir())


def test_a_whole_video_passes_with_its_first_frame_and_a_large_poster_is_reduced(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(editor_media.mp4(tmp_path))
    checked = check_upload(clip, "video", SCREEN, tmp_path / "work")
    assert (checked.kind, checked.mime, checked.ext, checked.width, checked.height) == ("video", "video/mp4", ".mp4",
                                                                                       320, 180)
    big = tmp_path / "big.jpg"
    big.write_bytes(editor_media.jpeg((4000, 3000)))
    reduced = check_upload(big, "image", SCREEN, tmp_path / "work")
    assert reduced.reduced_from == (4000, 3000) and (reduced.width, reduced.height) == (1440, 1080)
    with Image.open(reduced.path) as img:
        assert img.size == (1440, 1080) and img.format == "JPEG"
    portrait = tmp_path / "tall.png"
    Image.new("RGB", (2000, 5000), (200, 10, 10)).save(portrait)
    tall = check_upload(portrait, "image", SCREEN, tmp_path / "work")
    assert (tall.width, tall.height) == (768, 1920)  # a portrait picture fits a portrait screen
    small = tmp_path / "small.png"
    Image.new("RGB", (320, 180), (0, 0, 0)).save(small)
    same = check_upload(small, "image", SCREEN, tmp_path / "work")
    assert same.path == small and same.reduced_from is None
    assert re.fullmatch(r"media/editor/[0-9a-f]{20}\.png", same.stored_name())


@pytest.fixture
def editor_hub(tmp_path: Path) -> Iterator[Hub]:
    src = write_source(tmp_path / "src")
    h = start_hub(tmp_path, None, src, content_dir=src)
    h.add_user("claire", Role.EDITOR)
    yield h
    stop_hub(h)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _post_poster(s: requests.Session, hub: Hub, name: str, data: bytes, mime: str) -> requests.Response:
    token = csrf(s, f"{hub.url}/editor/poster/new")
    return s.post(f"{hub.url}/editor/poster/new", timeout=60, allow_redirects=False, data={
        "csrf_token": token, "doc_digest": "absent", "playlist": "lobby", "caption__fr": "Affiche",
        "valid_until": "2030-01-01T00:00", "accept_warnings": "1"}, files={"file": (name, io.BytesIO(data), mime)})


@pytest.mark.parametrize("name, make, mime, says", [
    ("immense.png", lambda tmp: editor_media.png_bomb(), "image/png", "too large to be decoded safely"),
    ("abimee.jpg", lambda tmp: editor_media.corrupt_jpeg(), "image/jpeg", "damaged or cut short"),
    ("page.jpg", lambda tmp: editor_media.HTML_AS_JPEG, "image/jpeg", "not a picture the screens can show"),
])
def test_a_refused_poster_is_said_beside_its_field_and_nothing_is_written(
        editor_hub: Hub, tmp_path: Path, name: str, make: object, mime: str, says: str) -> None:
    src = editor_hub.settings.content_dir
    assert src is not None
    before = _snapshot(src)
    s = editor_hub.login("claire")
    in_english(s, editor_hub)
    r = _post_poster(s, editor_hub, name, make(tmp_path), mime)  # type: ignore[operator]  # the parametrised maker
    assert r.status_code == 400
    errors = re.findall(r'<div class="field has-error" id="field-file".*?<p class="field-error" role="alert">([^<]+)',
                        r.text, re.S)
    assert errors and says in errors[0].replace("&#39;", "'"), r.text[-3000:]
    assert _snapshot(src) == before  # nothing in the content folder
    assert not list((editor_hub.settings.editor_dir / "uploads").glob("upload-*"))  # nor left in the hub's


def test_a_truncated_video_is_refused_in_french_and_nothing_is_written(editor_hub: Hub, tmp_path: Path) -> None:
    src = editor_hub.settings.content_dir
    assert src is not None
    before = _snapshot(src)
    s = editor_hub.login("claire")
    token = csrf(s, f"{editor_hub.url}/editor/video/new")
    r = s.post(f"{editor_hub.url}/editor/video/new", timeout=60, data={
        "csrf_token": token, "doc_digest": "absent", "playlist": "lobby", "caption__fr": "Clip"},
        files={"file": ("clip.mp4", io.BytesIO(editor_media.truncated_mp4(tmp_path)), "video/mp4")})
    assert r.status_code == 400 and "coupée" in r.text
    assert _snapshot(src) == before


def test_a_poster_is_stored_under_a_name_made_from_its_bytes(editor_hub: Hub) -> None:
    src = editor_hub.settings.content_dir
    assert src is not None
    s = editor_hub.login("claire")
    r = _post_poster(s, editor_hub, "../../etc/passwd.jpg", editor_media.jpeg(), "image/jpeg")
    assert r.status_code == 302, r.text[-2000:]
    stored = [p for p in (src / "media").rglob("*") if p.is_file() and p.parent.name == "editor"]
    assert len(stored) == 1 and re.fullmatch(r"[0-9a-f]{20}\.jpg", stored[0].name)
    assert "passwd" not in (src / "playlists" / "lobby.toml").read_text()

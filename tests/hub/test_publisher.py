from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.demo import demo_source_dir
from hub.publisher import PublishError, publish
from sync import parse_manifest

from ..helpers import write_png


def test_published_tree_holds_a_valid_manifest_and_media_by_hash(tmp_path: Path, source: Path) -> None:
    r = publish(source, tmp_path / "tree", datetime(2026, 11, 26, 8, tzinfo=UTC))
    body = (tmp_path / "tree" / "v1" / "manifest.json").read_bytes()
    m = parse_manifest(body)
    assert m.version == r.version and r.changed
    assert m.published_at == datetime(2026, 11, 26, 8, tzinfo=UTC)
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
         'playlists/lobby.toml: item "img-1": file: media/img1.png not found'),
        (lambda src: _replace(src / "playlists" / "lobby.toml", "media/img2.png", "../../etc/passwd"),
         'playlists/lobby.toml: item "img-2": file: \'../../etc/passwd\' points outside the source folder'),
        (lambda src: _replace(src / "playlists" / "lobby.toml", 'duration = 5\n', 'duration = "long"\n'),
         'playlists/lobby.toml: item "img-0": duration: \'long\' is not of type number'),
        (lambda src: _replace(src / "playlists" / "lobby.toml", "[name]", "[name"),
         "playlists/lobby.toml: Expected ']' at the end of a table declaration"),
        (lambda src: (src / "media" / "img0.png").write_bytes(b"GIF89a not a png"),
         'playlists/lobby.toml: item "img-0": file: media/img0.png is not a valid image/png file'),
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


def _kiosk_page(src: Path, image_line: str, section: str = "places") -> None:
    (src / "kiosk").mkdir(exist_ok=True)
    (src / "kiosk" / f"{section}.toml").write_text(
        f'[[{section}]]\nid = "market-hall"\n{image_line}\n'
        f'[{section}.{"title" if section == "news" else "name"}]\nfr = "Halle du marché"\n',
        encoding="utf-8")


def test_a_kiosk_page_image_is_published_as_media_and_named_by_its_hash(tmp_path: Path, source: Path) -> None:
    write_png(source / "media" / "place-halle.png", (200, 120, 40))
    _kiosk_page(source, 'image = "media/place-halle.png"')
    publish(source, tmp_path / "tree")
    doc = json.loads((tmp_path / "tree" / "v1" / "manifest.json").read_bytes())
    data = (source / "media" / "place-halle.png").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    assert doc["kiosk"]["places"][0]["image"] == sha
    assert {"sha256": sha, "size": len(data), "type": "image/png", "name": "place-halle.png"} in doc["media"]
    assert (tmp_path / "tree" / "v1" / "media" / sha).read_bytes() == data
    assert len(doc["media"]) == 4  # the three playlist images and the page's


def test_a_page_image_shared_with_the_loop_is_listed_once(tmp_path: Path, source: Path) -> None:
    _kiosk_page(source, 'file = "media/img0.png"', section="news")  # `file` works as in playlists
    publish(source, tmp_path / "tree")
    doc = json.loads((tmp_path / "tree" / "v1" / "manifest.json").read_bytes())
    assert len(doc["media"]) == 3
    assert doc["kiosk"]["news"][0]["image"] == doc["playlists"][0]["items"][0]["media"]
    assert "file" not in doc["kiosk"]["news"][0]


@pytest.mark.parametrize(
    "line, expected",
    [
        ('image = "media/halle.png"', "kiosk/places.toml: place \"market-hall\": image: media/halle.png not found"),
        ('image = "../outside.png"', "kiosk/places.toml: place \"market-hall\": image: '../outside.png' points outside the source folder"),
        ('image = "media/clip.mp4"', "kiosk/places.toml: place \"market-hall\": image: media/clip.mp4 is a video; this field takes image"),
        ('image = "' + "ab" * 32 + '"', "kiosk/places.toml: place \"market-hall\": image: name the file (media/…), not its hash"),
        ('image = 3', "kiosk/places.toml: place \"market-hall\": image: expected a path under media/"),
    ],
)
def test_a_bad_page_image_is_refused_naming_file_and_field(tmp_path: Path, source: Path, line: str,
                                                            expected: str) -> None:
    (source / "media" / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    _kiosk_page(source, line)
    with pytest.raises(PublishError) as exc:
        publish(source, tmp_path / "tree")
    assert expected in exc.value.problems, exc.value.problems
    assert not (tmp_path / "tree" / "v1" / "manifest.json").exists()


def test_demo_content_has_pages_with_images_listed_in_media(tmp_path: Path) -> None:
    publish(demo_source_dir(), tmp_path / "demo")
    doc = json.loads((tmp_path / "demo" / "v1" / "manifest.json").read_bytes())
    media = {m["sha256"]: m for m in doc["media"]}
    pictured = {(s, d["id"]): d["image"] for s, docs in doc["kiosk"].items() for d in docs if "image" in d}
    assert {("news", "pool-reopens"), ("places", "park-bruyere")} <= set(pictured)
    for sha in pictured.values():
        assert media[sha]["type"].startswith("image/")
        data = (tmp_path / "demo" / "v1" / "media" / sha).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha and len(data) == media[sha]["size"]


def test_the_tree_is_written_with_the_umask_modes_and_old_0600_files_are_opened(tmp_path: Path, source: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        first = publish(source, tmp_path / "tree")
        media = sorted((tmp_path / "tree" / "v1" / "media").iterdir())
        files = [first.manifest_path, *media]
        assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
        assert stat.S_IMODE(media[0].parent.stat().st_mode) == 0o755
        for p in files:  # as an earlier publisher left them
            p.chmod(0o600)
        again = publish(source, tmp_path / "tree")
        assert not again.changed
        assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
        os.umask(0o027)  # a town that wants its tree private to a group
        (source / "bulletins" / "news.toml").write_text(
            (source / "bulletins" / "news.toml").read_text().replace("Roadworks", "Works"))
        publish(source, tmp_path / "tree")
        assert stat.S_IMODE(first.manifest_path.stat().st_mode) == 0o640
    finally:
        os.umask(old)


_WITHOUT_HUB_EXTRA = (
    "import sys\n"
    "for name in ('nh3', 'feedparser', 'icalendar', 'recurring_ical_events', 'defusedxml', 'opening_hours',\n"
    "             'vacances_scolaires_france', 'flask', 'tomli'):\n"
    "    sys.modules[name] = None  # as on a device or a demo machine: the runtime only\n"
    "from pathlib import Path\n"
    "from hub.publisher import PublishError, publish\n"
    "try:\n"
    "    r = publish(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    "except PublishError as e:\n"
    "    print('ERROR', *e.problems)\n"
    "else:\n"
    "    print('OK', r.version)\n"
)


def test_a_folder_without_sources_publishes_with_the_runtime_only(tmp_path: Path) -> None:
    """./run-demo installs no hub extra: the demo town publishes without the sources' parsers,
    and a folder that declares sources says which extra it needs, in one line."""
    import shutil
    import subprocess
    import sys

    src = tmp_path / "town"
    shutil.copytree(demo_source_dir(), src)
    run = [sys.executable, "-c", _WITHOUT_HUB_EXTRA, str(src), str(tmp_path / "out")]
    r = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert r.stdout.startswith("OK c"), r.stdout + r.stderr
    (src / "sources.toml").write_text('[[source]]\nid = "news"\nkind = "rss"\nurl = "https://example.org/feed"\n')
    r = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert r.stdout.startswith("ERROR"), r.stdout + r.stderr
    assert "pip install 'town-kiosk[hub]'" in r.stdout and r.stdout.count("\n") == 1, r.stdout


def test_kiosk_publish_stamps_its_log_lines_in_the_contents_time_zone(tmp_path: Path) -> None:
    """The town's timer runs `kiosk publish` on a server set to UTC: its journal lines still
    tell the town's time, as its screens and its editors do."""
    import os
    import re
    import subprocess
    import sys

    def publish(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk", *flags, "publish", str(demo_source_dir()),
                               str(tmp_path / "www")], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "TZ": "UTC"})

    r = publish("--verbose")
    assert r.returncode == 0, r.stderr
    stamps = re.findall(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d) (?:INFO|DEBUG) ", r.stderr, re.M)
    assert stamps and set(stamps) <= {"+01:00", "+02:00"}, r.stderr
    # Without --verbose the publication is said once, by the command's own summary line.
    r = publish()
    assert r.stdout.startswith("unchanged: version c") and "version" not in r.stderr, r.stderr

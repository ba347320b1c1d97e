"""publish → serve → sync → headless player, through the real `kiosk` command."""
from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image

from hub.refserver import ContentTreeServer

from ..helpers import image_stats, mean_abs_diff, write_source
from .device import run_kiosk, synced_device


def centre_colour(path: Path) -> tuple[int, int, int]:
    with Image.open(path) as img:
        rgb = img.convert("RGB")
        w, h = rgb.size
        return rgb.getpixel((w // 2, int(h * 0.3)))


def test_published_content_reaches_the_screen_and_plays_with_the_server_stopped(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    tree, data, shots = tmp_path / "tree", tmp_path / "device", tmp_path / "shots"

    r = run_kiosk("publish", str(src), str(tree))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("published: version c")

    server = ContentTreeServer(tree).start_background()
    try:
        r = run_kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == 0, r.stderr
        assert "sync updated" in r.stdout and "3 file(s)" in r.stdout
        server.take_records()
        r = run_kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == 0 and "sync unchanged" in r.stdout
        records = server.take_records()
        assert [(x.path, x.status, x.bytes_sent) for x in records] == [("/v1/manifest.json", 304, 0)]
    finally:
        server.stop()

    # The server is gone: the player works from the cache alone.
    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots),
                  "--duration", "9", "--max-slide-seconds", "2", "--size", "640x360")
    assert r.returncode == 0, r.stderr[-3000:]
    files = sorted(shots.glob("*.png"))
    names = [f.name.split("-", 1)[1] for f in files]
    assert names[:4] == ["img-0.png", "img-1.png", "img-2.png", "news.png"], names

    for f in files:
        mean, stddev = image_stats(f)
        assert stddev > 8, f"{f.name} looks blank (stddev {stddev:.1f})"
    for a, b in combinations(files[:4], 2):
        assert mean_abs_diff(a, b) > 5, f"{a.name} and {b.name} look the same"
    # the images' own colours are on screen where the image is
    expected = {"img-0.png": (200, 40, 40), "img-1.png": (40, 160, 60), "img-2.png": (40, 70, 200)}
    for f, name in zip(files, names, strict=False):
        if name in expected:
            got = centre_colour(f)
            assert all(abs(g - e) <= 12 for g, e in zip(got, expected[name], strict=False)), (name, got)
    # the bulletin is the warning colour with text on it
    r_, g_, b_ = centre_colour(files[3])
    assert (r_, g_, b_) != (0, 0, 0)


def test_bad_manifest_is_one_line_naming_the_field_and_exit_code_4(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    tree = tmp_path / "tree"
    assert run_kiosk("publish", str(src), str(tree)).returncode == 0
    server = ContentTreeServer(tree).start_background()
    try:
        assert run_kiosk("sync", "--once", "--api", server.url, "--data", str(tmp_path / "d")).returncode == 0
        manifest = tree / "v1" / "manifest.json"
        manifest.write_text(manifest.read_text().replace('"timezone": "Europe/Paris"', '"timezone": 7'))
        r = run_kiosk("sync", "--once", "--api", server.url, "--data", str(tmp_path / "d"))
    finally:
        server.stop()
    assert r.returncode == 4
    lines = [x for x in r.stderr.splitlines() if x.startswith("kiosk:")]
    assert lines[0] == f"kiosk: error: {server.url}/v1/manifest.json: site.timezone: 7 is not of type string"
    assert lines[1].startswith("kiosk: version c") and lines[1].endswith("stays live")
    assert "Traceback" not in r.stderr


def test_player_without_any_content_shows_a_waiting_screen(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    # --duration counts from the app's start, not its first frame: on a busy machine the
    # first frames of a 1 fps idle player take seconds (a 2 s run ended before its
    # screenshot); the waiting slide lasts 30 s, so there is still exactly one
    r = run_kiosk("player", "--data", str(tmp_path / "empty"), "--headless", "--screenshots",
                  str(shots), "--duration", "5", "--size", "640x360")
    assert r.returncode == 0, r.stderr[-2000:]
    files = sorted(shots.glob("*.png"))
    assert [f.name for f in files] == ["001-waiting.png"]
    assert image_stats(files[0])[1] > 8


@pytest.mark.timeout(240)
def test_demo_command_shows_at_least_three_different_slides_headless(tmp_path: Path) -> None:
    r = run_kiosk("demo", "--duration", "14", "--size", "640x360",
                  env={"XDG_DATA_HOME": str(tmp_path), "TZ": "UTC"}, timeout=200)
    assert r.returncode == 0, r.stderr[-3000:]
    # Its log lines tell the demo town's time, as its screens do, whatever the system's zone.
    stamps = re.findall(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d) INFO ", r.stderr, re.M)
    assert stamps and set(stamps) <= {"+01:00", "+02:00"}, sorted(set(stamps))
    shots = tmp_path / "town-kiosk" / "demo" / "screenshots"
    assert f"one screenshot per slide goes to {shots}/" in r.stdout
    files = sorted(shots.glob("*.png"))
    assert len(files) >= 3, r.stdout
    for f in files:
        assert image_stats(f)[1] > 8, f.name
    for a, b in zip(files, files[1:], strict=False):
        assert mean_abs_diff(a, b) > 5, (a.name, b.name)


def test_an_item_whose_file_is_missing_on_disk_is_skipped_and_the_loop_goes_on(tmp_path: Path) -> None:
    from content_cache import ContentCache

    src = write_source(tmp_path / "src")
    tree, data, shots = tmp_path / "tree", tmp_path / "device", tmp_path / "shots"
    assert run_kiosk("publish", str(src), str(tree)).returncode == 0
    server = ContentTreeServer(tree).start_background()
    try:
        assert run_kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
    finally:
        server.stop()
    with ContentCache(data / "cache") as cache:
        victim = cache.read_live().playlist().items[1]
        victim.media.path.unlink()
    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots),
                  "--duration", "7", "--max-slide-seconds", "2", "--size", "640x360")
    assert r.returncode == 0, r.stderr[-2000:]
    names = [f.name.split("-", 1)[1] for f in sorted(shots.glob("*.png"))]
    assert names[:3] == ["img-0.png", "img-2.png", "news.png"], names
    assert "item img-1 cannot be shown" in r.stderr


def test_each_slide_shown_is_recorded_in_the_outbox_as_proof_of_play(tmp_path: Path) -> None:
    from content_cache import ContentCache, Outbox

    src = write_source(tmp_path / "src")
    data = synced_device(tmp_path, src)
    r = run_kiosk("player", "--data", str(data), "--headless", "--duration", "7",
                  "--max-slide-seconds", "2", "--size", "320x180")
    assert r.returncode == 0, r.stderr[-2000:]
    with ContentCache(data / "cache") as cache:
        version = cache.live_state().live_version_id
        plays = [rec for rec in Outbox(cache).batch(100) if rec.kind == "play"]
    assert [p.payload["item"] for p in plays][:3] == ["img-0", "img-1", "img-2"]
    for p in plays[:3]:  # each finished slide was up for its 2 s
        assert p.payload["content_version"] == version and p.payload["kind"] == "image"
        assert 1.7 <= p.payload["duration_s"] <= 3.0, p.payload
    assert len({p.idempotency_key for p in plays}) == len(plays)

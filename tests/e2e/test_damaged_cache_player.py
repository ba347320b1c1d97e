"""A real headless player on a cache it cannot fully trust: a damaged database (the
waiting card, or the content it already read — never a crash loop — until the sync sets
the file aside and rebuilds it, then the content again) and a read-only data folder (it
plays from an immutable snapshot of the database)."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from hub.publisher import publish
from hub.refserver import ContentTreeServer
from kiosk.device.control import ControlError, call, socket_path

from ..helpers import COLOURS, wait_for, write_source
from ..storage import damage, read_only_view
from .device import run_kiosk, start_player
from .test_pipeline import centre_colour


def _status(data: Path) -> dict:
    try:
        return call(socket_path(data), "status", timeout=3)
    except (ControlError, OSError, ValueError):
        return {}


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_player_on_a_damaged_cache_shows_the_waiting_card_then_the_content_the_sync_rebuilt(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    tree, data = tmp_path / "tree", tmp_path / "device"
    version = publish(src, tree).version
    server = ContentTreeServer(tree).start_background()
    log = tmp_path / "player.log"
    proc = None
    try:
        assert run_kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        damage(data / "cache" / "cache.sqlite", "cut in half")
        proc = start_player(data, "--max-slide-seconds", "2", "--size", "320x180", stderr=log.open("w"))
        assert wait_for(lambda: _status(data).get("showing") == "waiting", 20), log.read_text()
        time.sleep(3)
        assert proc.poll() is None, log.read_text()  # no crash, no restart loop
        assert _status(data)["showing"] == "waiting"

        r = run_kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == 0, r.stderr
        assert "for a technician" in r.stderr
        # the player opens the rebuilt database and leaves the waiting card at once
        assert wait_for(lambda: _status(data).get("content_version") == version, 20), log.read_text()
        assert wait_for(lambda: (_status(data).get("showing") or "").startswith("img-"), 10), log.read_text()
        assert proc.poll() is None
        text = log.read_text()
        assert "Traceback" not in text, text
        assert text.count("content cache unreadable") == 1, text  # said once, not every poll
    finally:
        if proc is not None:
            _stop(proc)
        server.stop()


def test_a_player_whose_database_is_damaged_while_it_plays_keeps_playing_what_it_read(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    tree, data = tmp_path / "tree", tmp_path / "device"
    version = publish(src, tree).version
    server = ContentTreeServer(tree).start_background()
    log = tmp_path / "player.log"
    proc = None
    try:
        assert run_kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        proc = start_player(data, "--max-slide-seconds", "1", "--size", "320x180", stderr=log.open("w"))
        assert wait_for(lambda: (_status(data).get("showing") or "").startswith("img-"), 20), log.read_text()
        db = data / "cache" / "cache.sqlite"
        db.write_bytes(b"\0garbage" * (db.stat().st_size // 8))  # overwritten in place
        seen = set()
        end = time.monotonic() + 5
        while time.monotonic() < end:
            seen.add(_status(data).get("showing"))
            time.sleep(0.2)
        assert proc.poll() is None, log.read_text()
        assert {"img-0", "img-1", "img-2"} <= seen, seen  # the loop goes on from what was read
        assert _status(data)["content_version"] == version

        r = run_kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: _status(data).get("content_version") == version and proc.poll() is None, 10)
        assert "Traceback" not in log.read_text(), log.read_text()
    finally:
        if proc is not None:
            _stop(proc)
        server.stop()


def test_a_player_on_a_read_only_data_folder_plays_its_content(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    tree, data = tmp_path / "tree", tmp_path / "device"
    publish(src, tree)
    server = ContentTreeServer(tree).start_background()
    try:
        assert run_kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
    finally:
        server.stop()
    shots = tmp_path / "shots"
    with read_only_view(data, tmp_path / "ro") as ro:
        r = run_kiosk("player", "--data", str(ro), "--headless", "--screenshots", str(shots), "--duration", "8",
                      "--max-slide-seconds", "2", "--size", "320x180", timeout=120)
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr, r.stderr
        assert "read as a snapshot" in r.stderr
        assert "control socket unavailable" not in r.stderr, r.stderr
        # A technician reaches it as on any device: its control socket could not be made
        # in the read-only folder, so it is in the temporary folder, where the commands look.
        proc = start_player(ro, "--size", "320x180")
        try:
            sock = socket_path(ro)
            assert sock.exists() and not sock.is_relative_to(ro), sock
            assert wait_for(lambda: _status(ro).get("showing") in ("img-0", "img-1", "img-2"), 30), _status(ro)
            st = run_kiosk("status", "--data", str(ro))
            assert "img-" in st.stdout and "not running" not in st.stdout, st.stdout + st.stderr
        finally:
            _stop(proc)
        assert not socket_path(ro).exists()  # gone with the player
    pngs = sorted(shots.glob("*.png"))
    assert [p.name.split("-", 1)[1] for p in pngs][:3] == ["img-0.png", "img-1.png", "img-2.png"], pngs
    for png, colour in zip(pngs[:3], COLOURS, strict=False):  # each image's own colour, where the image is
        got = centre_colour(png)
        assert all(abs(g - e) <= 12 for g, e in zip(got, colour, strict=True)), (png.name, got)

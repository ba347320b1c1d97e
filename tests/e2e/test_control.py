"""A technician's commands against a running headless player, through the real CLI."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from kiosk.device.control import call, socket_path

from ..helpers import write_source
from .device import run_kiosk, start_player, synced_device


def test_status_screenshot_next_and_test_card_on_a_running_player(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    # slides as long as the cap: img-0 is still on screen when `next` is asked for, however
    # long the commands before it take on a busy machine
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace("duration = 5", "duration = 20"))
    data = synced_device(tmp_path, src)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "player", "--data", str(data), "--headless",
         "--duration", "25", "--max-slide-seconds", "20", "--size", "640x360"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        sock = data / "control.sock"
        end = time.monotonic() + 15
        while not sock.exists() and time.monotonic() < end:
            time.sleep(0.1)
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        time.sleep(1.0)

        r = run_kiosk("status", "--json", "--data", str(data))
        assert r.returncode == 0, r.stderr
        info = json.loads(r.stdout)
        live = info["content"]["live_version"]
        assert info["player"]["content_version"] == live and live.startswith("c")
        assert info["player"]["showing"] == "img-0" and info["player"]["showing_kind"] == "image"
        assert info["last_sync"]["outcome"] == "updated"

        shot = tmp_path / "screen.png"
        r = run_kiosk("screenshot", str(shot), "--data", str(data))
        assert r.returncode == 0, r.stderr
        with Image.open(shot) as img:
            assert img.size == (640, 360)
            assert img.convert("RGB").getpixel((320, 100)) == (200, 40, 40)  # img-0 is red

        r = run_kiosk("next", "--data", str(data))
        assert r.stdout.strip() == "showing img-1"
        r = run_kiosk("show-test-card", "--seconds", "5", "--data", str(data))
        assert r.returncode == 0
        r = run_kiosk("status", "--data", str(data))
        assert r.stdout.startswith("on screen   test-card (test-card) — asked for by a technician")
    finally:
        proc.terminate()
        proc.wait(20)
    r = run_kiosk("next", "--data", str(data))
    assert r.returncode == 3 and "kiosk: error: no player running" in r.stderr


def test_a_request_is_answered_at_once_while_a_still_slide_idles_at_one_frame_a_second(tmp_path: Path) -> None:
    """The signage idle rate is a frame a second; a request from the control socket wakes
    the loop instead of waiting for that frame (it waited up to a second: ~0.5 s on
    average, the first `kiosk next` of a technician or of the player benchmark)."""
    src = write_source(tmp_path / "src")
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace("duration = 5", "duration = 60"))
    data = synced_device(tmp_path, src)
    proc = start_player(data, "--duration", "40", "--max-slide-seconds", "60", "--size", "320x180")
    try:
        sock = socket_path(data)
        assert call(sock, "status")["frame_rate_cap"] is not None
        waits = []
        for i in range(8):
            # well past the full rate kept after each change: the loop sleeps a second a frame
            time.sleep(1.1 + 0.13 * i)
            assert call(sock, "status")["frame_rate_cap"] == 1.0
            t0 = time.monotonic()
            call(sock, "status")
            waits.append(time.monotonic() - t0)
    finally:
        proc.terminate()
        proc.wait(20)
    waits.sort()
    assert waits[len(waits) // 2] < 0.15, f"answers took {[round(w, 3) for w in waits]} s"

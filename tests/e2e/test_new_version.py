"""A running player picks up a new live version without restart, at the next slide."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from hub.publisher import publish
from hub.refserver import ContentTreeServer
from kiosk.device.control import call, socket_path

from ..helpers import write_source
from .device import run_kiosk


def test_new_version_is_picked_up_within_seconds_and_the_current_slide_finishes(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace("duration = 5", "duration = 8"))
    tree, data = tmp_path / "tree", tmp_path / "device"
    publish(src, tree)
    server = ContentTreeServer(tree).start_background()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = None
    try:
        assert run_kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "player", "--data", str(data), "--headless", "--duration", "40",
             "--size", "320x180"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sock = socket_path(data)
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                first = call(sock, "status", timeout=2)
                if first["showing"]:
                    break
            except Exception:
                pass
            time.sleep(0.2)
        assert first["showing"] == "img-0"
        # a new version: a new first image
        lobby.write_text(lobby.read_text().replace('id = "img-0"', 'id = "new-0"', 1))
        publish(src, tree)
        assert run_kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        synced = time.monotonic()
        seen = None
        while time.monotonic() - synced < 6:
            st = call(sock, "status")
            if st["content_version"] != first["content_version"]:
                seen = time.monotonic() - synced
                break
            time.sleep(0.1)
        assert seen is not None and seen < 4, "the player did not notice the new version"
        assert st["showing"] == "img-0"  # the slide on screen finishes first
        # then the loop continues in the new version
        names = set()
        while time.monotonic() - synced < 30 and len(names) < 2:
            names.add(call(sock, "status")["showing"])
            time.sleep(0.3)
        assert "img-1" in names
    finally:
        server.stop()
        if proc:
            proc.terminate()
            proc.wait(20)

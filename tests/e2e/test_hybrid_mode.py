"""Hybrid mode: the signage loop is the touch kiosk's attract screen."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from PIL import Image

from kiosk.device.control import call, socket_path

from ..helpers import write_source
from .device import start_player, synced_device


def test_hybrid_player_loops_under_the_attract_band_and_is_locked_down(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace("duration = 5", "duration = 2"))
    data = synced_device(tmp_path, src)
    proc = start_player(data, "--duration", "30", "--size", "640x360", "--mode", "hybrid",
                        stderr=subprocess.PIPE)
    try:
        sock = socket_path(data)
        time.sleep(1.0)
        first = call(sock, "status")
        shot = tmp_path / "attract.png"
        call(sock, "screenshot", path=str(shot))
        time.sleep(2.5)
        second = call(sock, "status")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert first["mode"] == "hybrid" and first["touch"] == "attract"
    assert first["showing"] != second["showing"], "the attract loop does not rotate"
    with Image.open(shot) as img:
        rgb = img.convert("RGB")
        assert rgb.getpixel((320, 100)) == (200, 40, 40)  # img-0 plays in the attract layer
        # The loop's status bar (bottom 7 %: rows 335-359) stays in view, grey; the dark
        # blue "touch to start" band sits right above it.
        assert rgb.getpixel((5, 350)) == rgb.getpixel((5, 358)) == (53, 53, 52)
        band = rgb.getpixel((5, 330))
        assert band != (200, 40, 40) and band[2] > band[0] + 40 and sum(band) < 300
    assert "Traceback" not in err.decode()

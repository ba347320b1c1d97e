"""The device config's display.dpi reaches the touch UI of a real `kiosk player`."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from kiosk.device.control import call, socket_path

from ..helpers import write_source
from .device import start_player, synced_device


def test_a_kiosk_player_sizes_its_touch_ui_from_the_configured_dpi(tmp_path: Path) -> None:
    data = synced_device(tmp_path, write_source(tmp_path / "src"))
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[device]\nmode = "kiosk"\n[cache]\ndir = "{data}"\n[display]\ndpi = 160\n')
    proc = start_player(data, "--config", str(cfg), "--duration", "20", "--size", "800x480",
                        stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        status = call(socket_path(data), "status")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    text = err.decode()
    assert status["mode"] == "kiosk", text[-2000:]
    assert "touch UI sized for 160 dpi (display.dpi)" in text, text[-2000:]
    assert "Traceback" not in text

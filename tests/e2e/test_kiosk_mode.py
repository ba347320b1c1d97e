"""Kiosk mode is no blind spot for a technician: a real headless player in kiosk mode shows
its alert on the attract screen, `kiosk status` and `kiosk next` say what the kiosk shows
(never a Python None), the test card is drawn above the attract screen, `--screenshots`
saves the touch screens, and a panel turned a quarter turn is saved upright."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from PIL import Image

from kiosk.device.control import call, socket_path
from player.severity import LIGHT

from ..helpers import rgb255, write_source
from .device import run_kiosk, start_player, synced_device

W, H = 640, 360
RED = rgb255(LIGHT.critical.fill)
ALERT = ('\n[[bulletins]]\nid = "water"\ncategory = "alert"\nseverity = "critical"\nalert = "banner"\n'
         '[bulletins.title]\nfr = "Coupure d\'eau"\nen = "Water cut"\n')


def _device(tmp_path: Path) -> Path:
    src = write_source(tmp_path / "src", images=1)
    with (src / "bulletins" / "news.toml").open("a", encoding="utf-8") as f:
        f.write(ALERT)
    return synced_device(tmp_path, src)


def _wait_for(path: Path, pattern: str, timeout: float = 15) -> list[Path]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = sorted(path.glob(pattern))
        if found:
            return found
        time.sleep(0.1)
    return []


def test_kiosk_mode_status_next_alert_test_card_and_screenshots(tmp_path: Path) -> None:
    data = _device(tmp_path)
    shots = tmp_path / "shots"
    proc = start_player(data, "--mode", "kiosk", "--size", f"{W}x{H}", "--duration", "40",
                        "--screenshots", str(shots), stderr=subprocess.PIPE)
    try:
        sock = socket_path(data)
        saved = _wait_for(shots, "*-touch-attract.png")
        status = run_kiosk("status", "--data", str(data))
        info = call(sock, "status")
        attract = tmp_path / "attract.png"
        call(sock, "screenshot", path=str(attract))
        nxt = run_kiosk("next", "--data", str(data))
        call(sock, "test-card", seconds=20)
        card = tmp_path / "card.png"
        time.sleep(0.3)
        call(sock, "screenshot", path=str(card))
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    # status: what the kiosk shows, in words, never a Python None
    assert status.returncode == 0, status.stderr
    assert "None" not in status.stdout, status.stdout
    assert status.stdout.startswith("on screen   touch kiosk: attract screen (idle board), alert water"), status.stdout
    assert info["touch_screen"]["screen"] == "attract" and info["alerts"] == ["water"]
    assert "None" not in nxt.stdout and nxt.stdout.startswith("kiosk mode has no slide loop to skip; on screen: "
                                                              "touch kiosk: attract screen"), nxt.stdout
    # the alert is on the attract screen of a kiosk-mode totem, at the top, in red
    with Image.open(attract) as img:
        rgb = img.convert("RGB")
        assert rgb.getpixel((W // 2, 3)) == RED
    # the test card is above everything: its colour bars where the attract band would be
    with Image.open(card) as img:
        rgb = img.convert("RGB")
        assert rgb.getpixel((int(W * 0.05), int(H * 0.42))) == (255, 255, 255)  # the white bar
        assert rgb.getpixel((int(W * 0.69), int(H * 0.42))) == (255, 0, 0)  # the red bar
        # its grey background where the attract screen's band was (dark blue)
        assert all(120 <= c <= 136 for c in rgb.getpixel((3, H - 3)))
    # --screenshots saved the attract screen in kiosk mode
    assert saved, f"no touch screenshot in {list(shots.glob('*'))}"
    with Image.open(saved[0]) as img:
        assert img.size == (W, H)
    assert "Traceback" not in err.decode()


def test_screenshots_of_a_panel_turned_a_quarter_turn_come_out_upright(tmp_path: Path) -> None:
    data = _device(tmp_path)
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[display]\norientation = 90\n")
    shots = tmp_path / "shots"
    proc = start_player(data, "--config", str(cfg), "--size", f"{W}x{H}", "--duration", "30",
                        "--screenshots", str(shots))
    try:
        saved = _wait_for(shots, "*img-0.png")
        out = tmp_path / "control.png"
        call(socket_path(data), "screenshot", path=str(out))
    finally:
        proc.terminate()
        proc.wait(20)
    assert saved
    for path in (out, saved[0]):
        with Image.open(path) as img:
            rgb = img.convert("RGB")
            # portrait, as a person sees the totem: the banner along the top, not a side
            assert img.size == (H, W), path
            top = [rgb.getpixel((x, 3)) for x in range(rgb.width)]
            assert sum(c == RED for c in top) > rgb.width * 0.9, path
            assert all(rgb.getpixel((x, rgb.height - 3)) != RED for x in range(0, rgb.width, 8)), path

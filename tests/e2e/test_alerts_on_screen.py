"""Alerts on a running headless player: a banner appears as its window opens, a
full-screen alert pre-empts the slide on screen, and both leave when they expire."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from kiosk.device.control import call, socket_path
from player.severity import DARK

from ..helpers import rgb255, write_source
from .device import synced_device

RED = rgb255(DARK.critical.fill)  # the critical colour (player.severity)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _top_colour(png: Path) -> tuple[int, int, int]:
    with Image.open(png) as img:
        return img.convert("RGB").getpixel((img.width // 2, 3))


def _centre_colour(png: Path) -> tuple[int, int, int]:
    with Image.open(png) as img:
        return img.convert("RGB").getpixel((img.width // 2, img.height // 2))


def test_banner_and_fullscreen_alerts_follow_their_windows(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=16)
    banner_from, banner_until = start + timedelta(seconds=6), start + timedelta(seconds=12)
    full_from, full_until = start + timedelta(seconds=14), start + timedelta(seconds=18)
    with (src / "bulletins" / "news.toml").open("a") as f:
        f.write(
            f'\n[[bulletins]]\nid = "water"\ncategory = "alert"\nseverity = "critical"\nalert = "banner"\n'
            f'valid_from = {_iso(banner_from)}\nvalid_until = {_iso(banner_until)}\n'
            f'[bulletins.title]\nfr = "Coupure d\'eau"\n'
            f'\n[[bulletins]]\nid = "storm"\ncategory = "alert"\nseverity = "critical"\nalert = "fullscreen"\n'
            f'valid_from = {_iso(full_from)}\nvalid_until = {_iso(full_until)}\n'
            f'[bulletins.title]\nfr = "Tempête"\n'
        )
    data = synced_device(tmp_path, src)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "player", "--data", str(data), "--headless", "--duration", "60",
         "--max-slide-seconds", "30", "--size", "480x270"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    sock = socket_path(data)

    def at(t: datetime, name: str) -> dict:
        time.sleep(max(0.0, (t - datetime.now(UTC)).total_seconds()))
        out = tmp_path / f"{name}.png"
        call(sock, "screenshot", path=str(out))
        return {"png": out, **call(sock, "status")}

    try:
        assert start > datetime.now(UTC) + timedelta(seconds=5), "player setup too slow"
        before = at(banner_from - timedelta(seconds=0.6), "before-banner")
        during = at(banner_from + timedelta(seconds=0.4), "banner")
        full = at(full_from + timedelta(seconds=0.4), "fullscreen")
        after = at(full_until + timedelta(seconds=0.6), "after")
    finally:
        proc.terminate()
        proc.wait(20)
    loop = {"img-0", "img-1", "img-2", "news"}
    assert _top_colour(before["png"]) != RED and before["showing"] in loop
    assert _top_colour(during["png"]) == RED and during["showing"] in loop  # over the loop
    assert full["showing"] == "alert-storm" and full["why"].startswith("full-screen alert storm")
    assert _centre_colour(full["png"]) == RED  # pre-empted mid-slide
    assert after["showing"] != "alert-storm" and _top_colour(after["png"]) != RED

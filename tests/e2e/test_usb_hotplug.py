"""A running headless player sees a USB key through its hotplug monitor, imports the pack
on it and shows the new version; the display schedule runs a backend command and idles
the loop while the screen is scheduled off.

udev events reach the player through the replay folder (``KIOSK_HOTPLUG_REPLAY``): the
same monitor interface the netlink source implements, fed with a udev event environment
of a USB key; the key's mount comes from that folder's mount table.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from kiosk.device.control import call, socket_path

from ..device.fakes import USB_KEY_ENV, FakeBin
from ..helpers import write_png, write_source
from .device import run_kiosk, start_player, synced_device, wait_for_services

RED, GREEN = (200, 40, 40), (30, 150, 90)


def _status(data: Path) -> dict:
    r = run_kiosk("status", "--json", "--data", str(data))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _pixel(data: Path, tmp_path: Path) -> tuple[int, int, int]:
    shot = tmp_path / "shot.png"
    r = run_kiosk("screenshot", str(shot), "--data", str(data))
    assert r.returncode == 0, r.stderr
    with Image.open(shot) as img:
        return img.convert("RGB").getpixel((320, 100))


def _show(data: Path, item: str) -> None:
    """Step the loop (at least once: the slide on screen may be of the old version)
    until ``item`` is on screen."""
    for _ in range(8):
        call(socket_path(data), "next")
        time.sleep(0.8)
        if call(socket_path(data), "status")["showing"] == item:
            return
    raise AssertionError(f"{item} never came on screen")


def test_a_usb_pack_seen_by_the_running_player_goes_live_and_on_screen(tmp_path: Path) -> None:
    data = synced_device(tmp_path, write_source(tmp_path / "src"))
    src2 = write_source(tmp_path / "src2", title="Fermeture du pont")
    write_png(src2 / "media" / "img0.png", GREEN)
    key = tmp_path / "usb key"  # a space, as /proc/mounts escapes it
    assert run_kiosk("publish", str(src2), str(key)).returncode == 0
    v2 = json.loads((key / "v1" / "manifest.json").read_text())["version"]
    replay = tmp_path / "udev"
    replay.mkdir()
    (replay / "mounts").write_text("/dev/mmcblk0p2 / ext4 rw 0 0\n"
                                   f"/dev/sdz1 {str(key).replace(' ', chr(92) + '040')} vfat ro,nosuid 0 0\n")
    proc = start_player(data, "--duration", "90", "--max-slide-seconds", "30", "--size", "640x360",
                        env={"KIOSK_HOTPLUG_REPLAY": str(replay)})
    try:
        wait_for_services(data, proc)  # its USB import is what this test is about
        before = _status(data)
        v1 = before["content"]["live_version"]
        assert before["player"]["content_version"] == v1 != v2
        assert before["player"]["usb_import"] == {"importing": None, "last": None}
        assert before["player"]["device_services"] == "running"
        _show(data, "img-0")
        assert _pixel(data, tmp_path) == RED

        with (replay / "events").open("a") as f:
            f.write(json.dumps({**USB_KEY_ENV, "ACTION": "add", "DEVNAME": "/dev/sdz1"}) + "\n")
        end = time.monotonic() + 30
        while (info := _status(data))["player"]["content_version"] != v2:
            assert time.monotonic() < end, info["player"]
            time.sleep(0.5)
        last = info["player"]["usb_import"]["last"]
        assert last == {**last, "ok": True, "outcome": "updated", "device": "/dev/sdz1", "pack": str(key),
                        "live_version": v2}
        assert info["content"]["live_version"] == v2 and info["content"]["previous_version"] == v1
        _show(data, "img-0")
        assert _pixel(data, tmp_path) == GREEN
        text = run_kiosk("status", "--data", str(data)).stdout
        assert "usb import  updated from /dev/sdz1" in text, text
    finally:
        proc.terminate()
        assert proc.wait(20) == 0


def test_a_player_started_at_night_idles_until_its_cron_job_switches_the_screen_on(tmp_path: Path) -> None:
    """Real time, real scheduler: the screen is scheduled on from the next minute."""
    data = synced_device(tmp_path, write_source(tmp_path / "src"))
    fakebin = FakeBin(tmp_path / "bin")
    fakebin.dir.mkdir()
    fakebin.add("vcgencmd", stdout="display_power=0\n")
    now = datetime.now(ZoneInfo("Europe/Paris"))
    if now.second > 40:  # leave the player time to start and idle before the switch
        time.sleep(61 - now.second)
        now = datetime.now(ZoneInfo("Europe/Paris"))
    on = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[display]\npower_backend = "vcgencmd"\non = "{on:%H:%M}"\n'
                      f'off = "{on + timedelta(hours=2):%H:%M}"\n')
    proc = start_player(data, "--config", str(config), "--duration", "120", "--max-slide-seconds", "1",
                        "--size", "640x360", env={"PATH": fakebin.path()})
    sock = socket_path(data)
    try:
        end = time.monotonic() + 20
        while not (st := call(sock, "status")).get("display_power", {}).get("player_idle"):
            assert time.monotonic() < end, st
            time.sleep(0.3)
        shown = st["slides_shown"]
        time.sleep(3.5)  # slides last 1 s: an awake loop would have changed three times
        st = call(sock, "status")
        assert st["slides_shown"] == shown and st["frame_rate_cap"] == 1.0
        power = st["display_power"]
        assert (power["backend"], power["scheduled"], power["applied"], power["next_state"]) == \
               ("vcgencmd", "off", "off", "on")
        assert power["next_change"] == on.isoformat()
        text = run_kiosk("status", "--data", str(data)).stdout
        assert f"display     off (scheduled off, on at {on:%Y-%m-%d %H:%M}; backend vcgencmd, player idle)" in text, text

        # the cron job at `on` switches the screen on and the loop goes on from there
        end = time.monotonic() + 90
        while call(sock, "status")["display_power"]["player_idle"]:
            assert time.monotonic() < end, "the screen was never switched on"
            time.sleep(0.5)
        woke = datetime.now(ZoneInfo("Europe/Paris"))
        assert on <= woke < on + timedelta(seconds=30)
        time.sleep(2.5)
        st = call(sock, "status")
        assert st["slides_shown"] >= shown + 2 and st["display_power"]["applied"] == "on"
    finally:
        proc.terminate()
        assert proc.wait(20) == 0
    calls = [c for c in fakebin.calls() if len(c) == 3]
    assert calls == [["vcgencmd", "display_power", "0"], ["vcgencmd", "display_power", "1"]]

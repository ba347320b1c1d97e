"""A layout declared in the content gives the loop a side zone: a column at the right of
the slides in landscape (the slides keep the rest of the width, the status bar the whole
width), listing the next agenda event; a playlist's own layout without a zone turns it off."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from player.render.side_zone import ZONE_BACKGROUND

from ..helpers import COLOURS, rgb255, write_source
from .device import run_kiosk, synced_device

W, H = 640, 360
ZONE = rgb255(ZONE_BACKGROUND)


def _source(tmp: Path, playlist_layout: str = "") -> Path:
    src = write_source(tmp / "src", images=1)
    site = src / "site.toml"
    site.write_text(site.read_text() + '\n[site.layout]\nside_zone = ["clock", "events"]\n')
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    (src / "kiosk").mkdir(exist_ok=True)
    (src / "kiosk" / "events.toml").write_text(
        f'[[events]]\nid = "concert"\nstart = {start.isoformat().replace("+00:00", "Z")}\n'
        '[events.title]\nfr = "Concert de Noël"\n')
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace('[name]\nfr = "Hall"\n', f'{playlist_layout}[name]\nfr = "Hall"\n'))
    return src


def _shot(tmp: Path, src: Path) -> Image.Image:
    data = synced_device(tmp, src)
    shots = tmp / "shots"
    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots), "--duration", "4",
                  "--size", f"{W}x{H}", timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    first = sorted(shots.glob("*-img-0.png"))[0]
    with Image.open(first) as img:
        return img.convert("RGB")


def test_the_sites_layout_keeps_a_side_zone_beside_the_slides(tmp_path: Path) -> None:
    img = _shot(tmp_path, _source(tmp_path))
    zone = img.crop((int(W * 0.75), int(H * 0.05), W, int(H * 0.9)))
    colours = {c: n for n, c in zone.getcolors(W * H) or []}
    assert max(colours, key=colours.get) == ZONE, sorted(colours.items(), key=lambda kv: -kv[1])[:3]
    assert sum(n for c, n in colours.items() if min(c) > 200) > 200, "no text in the zone"
    assert COLOURS[0] not in colours  # the poster stays out of the zone...
    assert img.getpixel((int(W * 0.36), H // 2)) == COLOURS[0]  # ...in the slides' part
    # One clock on the screen: the zone's; the status bar's right end (its time) stays empty.
    assert _light_pixels(_status_clock(img)) == 0


@pytest.mark.parametrize("layout", ['[layout]\nside_zone = []\n'])
def test_a_playlist_layout_without_a_zone_replaces_the_sites(tmp_path: Path, layout: str) -> None:
    img = _shot(tmp_path, _source(tmp_path, layout))
    zone = img.crop((int(W * 0.75), int(H * 0.2), W, int(H * 0.8)))
    colours = {c: n for n, c in zone.getcolors(W * H) or []}
    assert ZONE not in colours or colours[ZONE] < zone.width * zone.height * 0.05
    assert _light_pixels(_status_clock(img)) > 20  # without the zone, the status bar tells the time


def _status_clock(img: Image.Image) -> Image.Image:
    """The status bar's right end, where it shows the time."""
    return img.crop((int(W * 0.72), int(H * 0.94), int(W * 0.97), H - 1))


def _light_pixels(region: Image.Image) -> int:
    return sum(n for n, c in region.getcolors(W * H) or [] if min(c) > 160)


@pytest.mark.parametrize("day_offset, shown", [(0, True), (-1, False)])
def test_the_forecast_panel_shows_todays_entry_only(tmp_path: Path, day_offset: int, shown: bool) -> None:
    from zoneinfo import ZoneInfo

    src = write_source(tmp_path / "src", images=1)
    site = src / "site.toml"
    site.write_text(site.read_text() + '\n[site.layout]\nside_zone = ["forecast"]\n')
    day = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=day_offset)
    (src / "kiosk").mkdir(exist_ok=True)
    (src / "kiosk" / "forecast.toml").write_text(  # as the open-meteo source writes it
        f'[[forecast]]\nid = "meteo-{day:%Y%m%d}"\ndate = {day.isoformat()}\nlow = -1\nhigh = 6\n'
        '[forecast.summary]\nfr = "Éclaircies"\nen = "Partly cloudy"\n')
    img = _shot(tmp_path, src)
    zone = img.crop((int(W * 0.75), int(H * 0.02), W, int(H * 0.9)))
    light = _light_pixels(zone)
    # Today's entry: its heading, "Éclaircies" and "-1° / 6°" in the zone; another day's: nothing.
    assert (light > 150) if shown else (light == 0), light

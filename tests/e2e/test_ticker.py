"""The ticker strip: current non-alert bulletin titles scroll in a band above the status
bar, in the display language, beside (never over) the alert banner; no bulletin, no strip."""
from __future__ import annotations

import time
from pathlib import Path

from PIL import Image, ImageChops

from kiosk.device.control import call, socket_path
from player.severity import DARK

from ..helpers import COLOURS, rgb255, write_source
from .device import start_player, synced_device

W, H = 480, 270
RED = rgb255(DARK.critical.fill)  # the critical colour (player.severity)
AMBER = rgb255(DARK.warning.ink)  # a warning's title in the strip
STRIP_BG = (5, 23, 51)  # player/render/ticker_strip.py TICKER_BACKGROUND
# Rows of the strip at 480x270: status bar 0-19 px from the bottom (7 %), ticker above it (6 %).
STRIP_ROWS = range(H - 19 - 16 + 2, H - 19 - 2)


def _config(tmp: Path, ticker: str) -> Path:
    cfg = tmp / "kiosk.toml"
    cfg.write_text(f"[display]\nticker = {ticker}\n")
    return cfg


def _shots(data: Path, tmp: Path, *names: str, gap: float = 0.5) -> list[Path]:
    out = []
    for name in names:
        path = tmp / f"{name}.png"
        call(socket_path(data), "screenshot", path=str(path))
        out.append(path)
        time.sleep(gap)
    return out


def _strip(png: Path) -> Image.Image:
    with Image.open(png) as img:
        return img.convert("RGB").crop((0, STRIP_ROWS.start, W, STRIP_ROWS.stop))


def _colours(img: Image.Image) -> dict[tuple[int, int, int], int]:
    return {c: n for n, c in img.getcolors(W * 64) or []}


def test_ticker_scrolls_current_titles_above_the_status_bar_and_below_the_banner(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", images=1)
    with (src / "bulletins" / "news.toml").open("a") as f:
        f.write(
            '\n[[bulletins]]\nid = "market"\ncategory = "event"\nseverity = "info"\n'
            '[bulletins.title]\nfr = "Marché de Noël samedi"\nen = "Christmas market"\n'
            '\n[[bulletins]]\nid = "old"\ncategory = "event"\nseverity = "info"\n'
            'valid_until = 2020-01-01T00:00:00Z\n[bulletins.title]\nfr = "Expiré"\n'
            '\n[[bulletins]]\nid = "water"\ncategory = "alert"\nseverity = "critical"\nalert = "banner"\n'
            '[bulletins.title]\nfr = "Coupure d\'eau"\n'
        )
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace("duration = 5", "duration = 60"))
    data = synced_device(tmp_path, src)
    proc = start_player(data, "--config", str(_config(tmp_path, "true")), "--duration", "40",
                        "--size", f"{W}x{H}")
    try:
        time.sleep(2.0)
        first, second = _shots(data, tmp_path, "t0", "t1", gap=0.6)
    finally:
        proc.terminate()
        proc.wait(20)
    a, b = _strip(first), _strip(second)
    colours = _colours(a)
    background = max(colours, key=colours.get)
    assert background == STRIP_BG
    light = sum(n for c, n in colours.items() if sum(c) > 600)
    assert light > 200, f"no text in the strip: {sorted(colours.items(), key=lambda kv: -kv[1])[:5]}"
    moved = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 60 else 0).histogram()[255]
    assert moved > 100, "the ticker text did not move between two frames"
    with Image.open(first) as img:
        rgb = img.convert("RGB")
        assert rgb.getpixel((W // 2, 3)) == RED  # the banner is on top, uncovered
        assert rgb.getpixel((W - 3, 3)) == RED
        assert rgb.getpixel((W // 2, H // 2)) == COLOURS[0]  # the loop's image between them
        assert rgb.getpixel((W // 2, H - 19 - 18)) == COLOURS[0]  # the slide ends above the strip


def test_no_ticker_without_bulletins(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", images=1)
    lobby = src / "playlists" / "lobby.toml"
    text = lobby.read_text()
    lobby.write_text(text[:text.index('[[items]]\nid = "news"')].replace("duration = 5", "duration = 60"))
    (src / "bulletins" / "news.toml").write_text("")
    data = synced_device(tmp_path, src)
    proc = start_player(data, "--config", str(_config(tmp_path, '"bottom"')), "--duration", "30",
                        "--size", f"{W}x{H}")
    try:
        time.sleep(2.0)
        (shot,) = _shots(data, tmp_path, "none")
    finally:
        proc.terminate()
        proc.wait(20)
    colours = _colours(_strip(shot))
    assert STRIP_BG not in colours and max(colours, key=colours.get) == COLOURS[0]


def test_ticker_keeps_the_frame_rate_up_only_while_it_scrolls(tmp_path: Path) -> None:
    """Signage: the ticker moves, so the player runs at full rate. Kiosk mode (the loop
    paused for the touch UI): the ticker stops, and the player idles again."""
    src = write_source(tmp_path / "src", images=1)
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace("duration = 5", "duration = 60"))
    data = synced_device(tmp_path, src)
    cfg = _config(tmp_path, "true")
    caps = {}
    for mode in ("signage", "kiosk"):
        proc = start_player(data, "--config", str(cfg), "--duration", "30", "--size", f"{W}x{H}",
                            "--mode", mode)
        try:
            time.sleep(3.0)  # past the frame pacer's settling time
            caps[mode] = call(socket_path(data), "status")["frame_rate_cap"]
        finally:
            proc.terminate()
            proc.wait(20)
    assert caps == {"signage": 60.0, "kiosk": 4.0}


def test_ticker_on_top_sits_under_the_banner(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", images=1)
    with (src / "bulletins" / "news.toml").open("a") as f:
        f.write('\n[[bulletins]]\nid = "water"\ncategory = "alert"\nseverity = "critical"\nalert = "banner"\n'
                '[bulletins.title]\nfr = "Coupure d\'eau"\n')
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace("duration = 5", "duration = 60"))
    data = synced_device(tmp_path, src)
    proc = start_player(data, "--config", str(_config(tmp_path, '"top"')), "--duration", "30",
                        "--size", f"{W}x{H}")
    try:
        time.sleep(2.0)
        (shot,) = _shots(data, tmp_path, "top")
    finally:
        proc.terminate()
        proc.wait(20)
    banner_h, strip_h = round(H * 0.13), round(H * 0.06)  # 35 and 16 px
    with Image.open(shot) as img:
        rgb = img.convert("RGB")
        assert rgb.getpixel((W // 2, 3)) == RED and rgb.getpixel((W // 2, banner_h - 3)) == RED
        strip = rgb.crop((0, banner_h + 2, W, banner_h + strip_h - 2))
        colours = _colours(strip)
        assert max(colours, key=colours.get) == STRIP_BG
        # its text: the only bulletin is a warning, written in the warning's amber
        assert sum(n for c, n in colours.items() if _near(c, AMBER)) > 60, colours
        assert rgb.getpixel((W // 2, banner_h + strip_h + 4)) != STRIP_BG  # the slide below it
        assert STRIP_BG not in _colours(rgb.crop((0, H - 19 - 16, W, H - 19)))  # nothing at the bottom


def _near(c: tuple[int, int, int], ref: tuple[int, int, int], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c, ref, strict=True))

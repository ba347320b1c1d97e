"""display.orientation turns the player's whole picture on the panel: a landscape-scanned
panel mounted a quarter turn shows the portrait layout (banner on the logical top, status
bar on the logical bottom), and touches are turned with it."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from kiosk.device.control import call, socket_path
from player.severity import DARK

from ..helpers import rgb255, write_source
from .device import start_player, synced_device

W, H = 480, 270  # the panel as it scans: landscape
RED = rgb255(DARK.critical.fill)  # the critical colour (player.severity)


def _column(img: Image.Image, x: int) -> list[tuple[int, int, int]]:
    return [img.getpixel((x, y)) for y in range(img.height)]


def _shot(tmp_path: Path, degrees: int) -> Image.Image:
    src = write_source(tmp_path / "src", images=1)
    with (src / "bulletins" / "news.toml").open("a") as f:
        f.write('\n[[bulletins]]\nid = "water"\ncategory = "alert"\nseverity = "critical"\nalert = "banner"\n'
                '[bulletins.title]\nfr = "Coupure"\n')
    lobby = src / "playlists" / "lobby.toml"
    text = lobby.read_text()
    lobby.write_text(text[:text.index('[[items]]\nid = "news"')].replace("duration = 5", "duration = 60"))
    data = synced_device(tmp_path, src)
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f"[display]\norientation = {degrees}\n")
    proc = start_player(data, "--config", str(cfg), "--duration", "30", "--size", f"{W}x{H}")
    out = tmp_path / f"turned-{degrees}.png"
    try:
        time.sleep(2.0)
        status = call(socket_path(data), "status")
        call(socket_path(data), "screenshot", path=str(out))
    finally:
        proc.terminate()
        proc.wait(20)
    assert status["screen"] == [W, H]
    with Image.open(out) as img:
        return img.convert("RGB")


@pytest.mark.parametrize("degrees", [90, 270])
def test_portrait_layout_is_turned_onto_a_landscape_panel(tmp_path: Path, degrees: int) -> None:
    img = _shot(tmp_path, degrees)
    # Logical top (banner) and bottom (status bar) land on the panel's short sides:
    # at 90 the top is on the left edge, at 270 on the right edge.
    banner_x, bar_x = (3, W - 3) if degrees == 90 else (W - 3, 3)
    banner = _column(img, banner_x)
    bar = _column(img, bar_x)
    assert sum(c == RED for c in banner) > H * 0.6, f"banner not along x={banner_x}"
    assert all(c != RED for c in bar)
    assert sum(max(c) < 20 for c in bar) > H * 0.5, f"status bar not along x={bar_x}"
    # The banner spans the portrait width (the panel's full height), 13 % of the
    # portrait height deep (the panel's width: 480 px -> 62 px).
    depth = next(i for i in range(W) if img.getpixel((i if degrees == 90 else W - 1 - i, H // 2)) != RED)
    assert 55 <= depth <= 66, depth
    # Not mirrored: the banner's text starts at the logical left, which is the panel's
    # bottom at 90 and its top at 270.
    white = [y for y in range(H) for x in range(depth) if
             min(img.getpixel((x if degrees == 90 else W - 1 - x, y))) > 200]
    assert white, "no banner text"
    mean_y = sum(white) / len(white)
    assert (mean_y > H * 0.6) if degrees == 90 else (mean_y < H * 0.4), mean_y


TAP_SCRIPT = r"""
import json, sys
from pathlib import Path
from kiosk.device.kivy_env import prepare_kivy
prepare_kivy(Path(sys.argv[1]), headless=True, fullscreen=False, size=(480, 270))
from kivy.app import App
from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kiosk.app.oriented_root import OrientedRoot

degrees, points = int(sys.argv[2]), json.loads(sys.argv[3])
hits = []

class Tap(MotionEvent):
    def __init__(self, x, y, n):
        super().__init__("test", n, {"x": x / Window.width, "y": y / Window.height}, is_touch=True, type_id="touch")
        self.profile = ["pos"]
    def depack(self, args):
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)

class TapApp(App):
    def build(self):
        root = FloatLayout()
        for name, hint in {"top-left": {"x": 0, "top": 1}, "top-right": {"right": 1, "top": 1},
                           "bottom-left": {"x": 0, "y": 0}, "bottom-right": {"right": 1, "y": 0}}.items():
            b = Button(text=name, size_hint=(0.5, 0.5), pos_hint=hint)
            b.bind(on_release=lambda b: hits.append(b.text))  # released through the grab path
            root.add_widget(b)
        self.logical = root
        return OrientedRoot(root, degrees)
    def on_start(self):
        Clock.schedule_once(self.tap, 0.3)
    def tap(self, _dt):
        seen = []
        for n, (x, y) in enumerate(points):
            t = Tap(x, y, 100 + n)
            EventLoop.post_dispatch_input("begin", t)
            EventLoop.post_dispatch_input("end", t)
            seen.append(hits.pop() if hits else None)
        print(json.dumps({"hits": seen, "logical": list(self.logical.size)}))
        self.stop()

TapApp().run()
"""

# Window points in Kivy's coordinates (origin bottom-left), as fractions of 480x270,
# and the logical quadrant each must reach: at 90 the logical top is the window's left
# edge and the logical left its bottom edge; at 270 the other way round.
TAPS = {
    0: [((0.25, 0.75), "top-left"), ((0.75, 0.25), "bottom-right")],
    90: [((0.25, 0.25), "top-left"), ((0.25, 0.75), "top-right"), ((0.75, 0.25), "bottom-left"),
         ((0.75, 0.75), "bottom-right")],
    180: [((0.25, 0.75), "bottom-right"), ((0.75, 0.25), "top-left")],
    270: [((0.75, 0.75), "top-left"), ((0.75, 0.25), "top-right"), ((0.25, 0.75), "bottom-left"),
          ((0.25, 0.25), "bottom-right")],
}


@pytest.mark.parametrize("degrees", sorted(TAPS))
def test_a_tap_on_the_turned_panel_reaches_the_widget_drawn_under_it(tmp_path: Path, degrees: int) -> None:
    import json
    import os
    import subprocess
    import sys

    points = [(fx * W, fy * H) for (fx, fy), _name in TAPS[degrees]]
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    script = tmp_path / "tap_app.py"
    script.write_text(TAP_SCRIPT)
    r = subprocess.run([sys.executable, str(script), str(tmp_path / "kivy"), str(degrees), json.dumps(points)],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["logical"] == ([H, W] if degrees in (90, 270) else [W, H])
    assert out["hits"] == [name for _p, name in TAPS[degrees]]

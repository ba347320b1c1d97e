"""No blank frame between slides: frames sampled through transitions all show content."""
from __future__ import annotations

import time
from pathlib import Path

from PIL import Image

from kiosk.device.control import call, socket_path

from ..helpers import COLOURS, image_stats, write_source
from .device import start_player, synced_device


def _dominant(png: Path) -> tuple[int, int, int]:
    with Image.open(png) as img:
        rgb = img.convert("RGB")
        return rgb.getpixel((rgb.width // 2, int(rgb.height * 0.3)))


def test_frames_sampled_through_image_to_image_transitions_are_never_blank(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", images=3)
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace("duration = 5", "duration = 2"))
    data = synced_device(tmp_path, src)
    proc = start_player(data, "--duration", "30", "--size", "320x180", "--idle-fps", "60")
    frames: list[Path] = []
    try:
        sock = socket_path(data)
        time.sleep(1.0)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5.0:  # spans at least two slide changes
            out = tmp_path / f"frame-{len(frames):03d}.png"
            call(sock, "screenshot", path=str(out))
            frames.append(out)
    finally:
        proc.terminate()
        proc.wait(20)
    assert len(frames) >= 20
    seen = []
    for f in frames:
        mean, stddev = image_stats(f)
        assert stddev > 8 and mean > 10, f"{f.name} is blank (mean {mean:.0f}, stddev {stddev:.1f})"
        c = _dominant(f)
        if not seen or seen[-1] != c:
            seen.append(c)
    image_colours = {tuple(c) for c in COLOURS[:3]}
    shown = [c for c in seen if c in image_colours]
    assert len(shown) >= 2, f"no transition was sampled: {seen}"

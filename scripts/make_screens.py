#!/usr/bin/env python3
"""Render every touch-kiosk screen from the demo content into docs/screens/*.png.

    python scripts/make_screens.py [--out docs/screens] [--keep-full-size DIR]

Each orientation (landscape 1920x1080, portrait 1080x1920) runs in its own headless Kivy
process through the touch harness (kiosk/touch/testing/harness.py), at a fixed time (Thursday
26 November 2026, 10:30 in Valbruyère), in kiosk mode (its attract screen is the idle
board). The hybrid attract screen is the real signage loop: the demo town is published,
served on 127.0.0.1 and synced into a throwaway device folder, and the real player runs
headless in hybrid mode at the same time (``kiosk player --mode hybrid --at …
--screenshots``). The PNGs are downscaled so their long side is 960 px and reduced to a
256-colour palette, which keeps text sharp and files small.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from kiosk.touch.admin import make_pin_hash  # noqa: E402
from kiosk.touch.testing.harness import TOUR_PIN, run_scenario  # noqa: E402

ORIENTATIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
LONG_SIDE = 960
AT = "2026-11-26T10:30"  # site time, the harness's DEFAULT_NOW
PUBLISHED_AT = "2026-11-26T06:00:00+00:00"  # kiosk.touch.testing.sample's
ATTRACT = ("attract", "Hybrid mode's attract screen: the real signage loop (its alert banner, side zone and "
           "status bar) under “touch to start” and the languages")

# name → (what it shows, steps to reach it from the previous screen)
SCREENS: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("kiosk-attract", "Kiosk mode's attract screen: the alert, the time and what is on next", []),
    ("home", "Home: categories with their pictograms, the alert over every screen, languages; in portrait "
             "what is on next", [{"tap": {"x": 0.5, "y": 0.5}}]),
    ("list-services", "Services with “open now” status", [{"tap": {"tid": "cat-services"}}]),
    ("detail-services", "Town hall: status, the next seven days, coming closures, QR code",
     [{"tap": {"tid": "row-town-hall"}}]),
    ("list-agenda", "What's on, by day, with “today” and “this weekend” filters",
     [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-agenda"}}]),
    ("list-agenda-weekend", "What's on this weekend", [{"tap": {"tid": "filter-weekend"}}]),
    ("detail-agenda", "An event with its link as a QR code", [{"tap": {"tid": "row-concert"}}]),
    ("detail-menus", "This week's canteen menu, today highlighted",
     [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-menus"}}, {"tap": {"tid": "row-school-canteen"}}]),
    ("detail-procedures", "A procedure: steps and documents to bring",
     [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-procedures"}}, {"tap": {"tid": "row-id-card"}}]),
    ("detail-news", "A news item with its picture (from the media store)", [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-news"}},
                                    {"tap": {"tid": "row-pool-reopens"}}]),
    ("list-places", "Places, with opening status where they have hours",
     [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-places"}}]),
    ("detail-places", "A place: address, coordinates, map link as a QR code",
     [{"tap": {"tid": "row-toilets-market"}}]),
    ("list-numbers", "Useful numbers", [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-numbers"}}]),
    ("list-alerts", "Current alerts in their severity colours (critical red, warning amber)",
     [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-alerts"}}]),
    ("home-de", "Home in German", [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "lang-de"}}]),
    ("detail-services-es", "A service page in Spanish (content falls back to French where untranslated)",
     [{"tap": {"tid": "lang-es"}}, {"tap": {"tid": "cat-services"}}, {"tap": {"tid": "row-library"}}]),
    ("home-contrast", "High-contrast theme",
     [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "lang-fr"}}, {"tap": {"tid": "nav-contrast"}}]),
    ("list-services-contrast", "High-contrast theme on a list", [{"tap": {"tid": "cat-services"}}]),
    ("list-alerts-contrast", "High-contrast theme: the alerts in the same severity colours",
     [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-alerts"}}]),
    ("detail-contrast", "High-contrast theme on a detail page",
     [{"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-services"}}, {"tap": {"tid": "row-pool"}}]),
    ("detail-large", "Large-text mode: a page that runs past the screen says there is more below",
     [{"tap": {"tid": "nav-contrast"}}, {"tap": {"tid": "nav-large"}}]),
    ("idle", "“Still there?”: the countdown before the reset", [{"tap": {"tid": "nav-large"}}, {"advance": 91}]),
    ("pin", "Admin PIN pad, after a 5-second press in the top-left corner",
     [{"tap": {"tid": "idle-continue"}}, {"tap": {"tid": "nav-home"}},
      {"press": {"x": 0.005, "y": 0.995}, "hold_s": 5.5}]),
    ("admin", "Admin overlay: device, versions, last sync, network, actions",
     [*({"tap": {"tid": f"pin-{d}"}} for d in TOUR_PIN), {"tap": {"tid": "pin-ok"}}]),
]


def scenario() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"wait": 0.5}]
    for name, _what, reach in SCREENS:
        steps += reach
        steps += [{"wait": 0.2}, {"shot": name}]
    return steps


def shrink(src: Path, dest: Path) -> None:
    with Image.open(src) as img:
        img = img.convert("RGB")
        scale = LONG_SIDE / max(img.size)
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            dest, format="PNG", optimize=True)


def attract_from_player(size: tuple[int, int], work: Path, dest: Path) -> None:
    """The hybrid attract screen as the real player draws it: the demo town published,
    served, synced, and played headless at ``AT`` with a screenshot per slide."""
    from hub.demo import demo_source_dir
    from hub.refserver import ContentTreeServer

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}

    def kiosk(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "kiosk", *args], check=True, env=env, capture_output=True)

    tree, data, shots = work / "tree", work / "device", work / "shots"
    if not (data / "cache").is_dir():
        # Published the morning of AT, as the harness's content is: the player trusts its
        # clock at AT (a preview far from the publication plays no time rule, no alert).
        kiosk("publish", str(demo_source_dir()), str(tree), "--published-at", PUBLISHED_AT)
        server = ContentTreeServer(tree).start_background()
        try:
            kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        finally:
            server.stop()
    shutil.rmtree(shots, ignore_errors=True)
    kiosk("player", "--data", str(data), "--headless", "--mode", "hybrid", "--size", f"{size[0]}x{size[1]}",
          "--at", AT, "--screenshots", str(shots), "--duration", "9", "--max-slide-seconds", "8")
    # The first slide of the loop at that time (the pool's poster), under the attract band.
    slides = sorted(p for p in shots.glob("*.png") if "-touch-" not in p.name)
    if not slides:
        raise RuntimeError(f"the player saved no screenshot in {shots}")
    shrink(slides[0], dest)


def write_readme(out: Path) -> None:
    lines = [
        "# Touch kiosk screens",
        "",
        "Generated by `python scripts/make_screens.py` from the demo content",
        "(`hub/demo_content/`), headless, on Thursday 26 November 2026 at 10:30 in Valbruyère:",
        "the hybrid attract screen by the real player (`kiosk player --mode hybrid`), the others",
        "by the touch harness in kiosk mode. Pictograms: Material Symbols, Apache-2.0",
        "(`kiosk/touch/icons/LICENSE`).",
        "Landscape is a 1920×1080 lobby screen, portrait a 1080×1920 street totem (where the",
        "controls sit in the lower half). Images are downscaled to 960 px on their long side.",
        "",
        "| screen | landscape | portrait |",
        "| --- | --- | --- |",
    ]
    for name, what, _reach in [(*ATTRACT, [])] + SCREENS:
        lines.append(f"| {what} | [![{name}](landscape-{name}.png)](landscape-{name}.png) "
                     f"| [![{name}](portrait-{name}.png)](portrait-{name}.png) |")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=REPO / "docs" / "screens")
    p.add_argument("--keep-full-size", type=Path, default=None, help="also keep the full-size PNGs here")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    pin_hash = make_pin_hash(TOUR_PIN)
    with tempfile.TemporaryDirectory() as tmp:
        for orientation, size in ORIENTATIONS.items():
            work = Path(tmp) / orientation
            r = run_scenario(scenario(), work, size=size, pin_hash=pin_hash, timeout=600, mode="kiosk")
            if r.results["errors"] or len(r.results["shots"]) != len(SCREENS):
                print(f"make_screens: {orientation}: {r.results['errors']}\n{r.stderr[-3000:]}", file=sys.stderr)
                return 1
            for name, _what, _reach in SCREENS:
                shrink(work / f"{name}.png", a.out / f"{orientation}-{name}.png")
                if a.keep_full_size:
                    a.keep_full_size.mkdir(parents=True, exist_ok=True)
                    shutil.copy(work / f"{name}.png", a.keep_full_size / f"{orientation}-{name}.png")
            started = time.monotonic()
            attract_from_player(size, Path(tmp) / "player", a.out / f"{orientation}-attract.png")
            print(f"{orientation}: attract screen from the real player in {time.monotonic() - started:.0f} s")
    write_readme(a.out)
    total = sum(f.stat().st_size for f in a.out.glob("*.png"))
    print(f"{(len(SCREENS) + 1) * len(ORIENTATIONS)} screens in {a.out} ({total / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

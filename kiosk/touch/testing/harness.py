"""Drive the touch UI headless from a scenario; record what is on screen.

Kivy opens one window per process, so each scenario runs in its own process::

    python -m kiosk.touch.testing.harness --scenario steps.json --out DIR [--size 1080x1920]

A scenario is a JSON list of steps, each an object with one action:

    {"tap": {"tid": "cat-services"}}      {"tap": {"text": "Piscine des Tilleuls"}}
    {"tap": {"x": 0.5, "y": 0.5}}          fractions of the window, y from the bottom
    {"press": {"x": 0.01, "y": 0.99}, "hold_s": 5.5}   a long press (moves the fake clock)
    {"advance": 95}                        moves the monotonic and wall clocks (seconds)
    {"wait": 0.5}                          real seconds, for Kivy to lay out
    {"key": "escape" | "f1" | 113}         {"close": true}  a window close request
    {"dump": "name"}                       the widget tree facts → results.json
    {"shot": "name"}                       DIR/name.png
    {"scroll": {"tid": "...", "to": 0.0}}  {"call": "reset_to_attract"}
    {"content": "path/to/folder"}          a new content version, as the host's set_content

DIR/results.json holds the dumps, the root's events, the host callbacks called and
whether the app was still running at the end. :func:`run_scenario` runs one from Python.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.touch.testing.clocks import DEFAULT_NOW, FakeClocks


@dataclass(frozen=True)
class HarnessResult:
    returncode: int
    out: Path
    results: dict[str, Any]
    stderr: str

    def dump(self, name: str) -> dict[str, Any]:
        return self.results["dumps"][name]


def run_scenario(steps: list[dict[str, Any]], out: Path, *, size: tuple[int, int] = (1920, 1080),
                 dpi: float = 102.0, now: str = DEFAULT_NOW, content: Path | None = None,
                 pin_hash: str | None = None, idle_s: float = 90, countdown_s: float = 30,
                 env: dict[str, str] | None = None, timeout: float = 120,
                 data: Path | None = None, config: Path | None = None, mode: str = "hybrid") -> HarnessResult:
    """Run ``steps`` in a fresh process; returns its results (raises if it crashed).

    ``mode``: "hybrid" (a stand-in for the signage loop on the attract screen) or "kiosk"
    (no loop: the idle board, as ``device.mode = "kiosk"``).
    ``content``: a content folder to show, with its images (default: the demo town).
    ``data``: instead, a device's data folder: its live content and the images of its media
    store, and the admin overlay's "sync now" does what the player's does (kiosk.device.sync_now).
    ``config``: a device config file whose display.dpi / display.width_mm size the UI
    (instead of ``dpi``).
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / "scenario.json").write_text(json.dumps(steps), encoding="utf-8")
    args = [sys.executable, "-m", "kiosk.touch.testing.harness", "--scenario", str(out / "scenario.json"),
            "--out", str(out), "--size", f"{size[0]}x{size[1]}", "--dpi", str(dpi), "--now", now,
            "--idle", str(idle_s), "--countdown", str(countdown_s), "--mode", mode]
    if content is not None:
        args += ["--content", str(content)]
    if data is not None:
        args += ["--data", str(data)]
    if config is not None:
        args += ["--config", str(config)]
    if pin_hash:
        args += ["--pin-hash", pin_hash]
    full_env = {**os.environ, **(env or {})}
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        full_env.pop(var, None)
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=full_env)
    results_path = out / "results.json"
    if not results_path.is_file():
        raise RuntimeError(f"harness wrote no results (exit {r.returncode}):\n{r.stderr[-4000:]}")
    return HarnessResult(r.returncode, out, json.loads(results_path.read_text("utf-8")), r.stderr)


# One document per category of the demo content, shown as that category's detail page.
DEMO_DETAILS = {
    "alerts": "storm-warning", "services": "town-hall", "menus": "school-canteen",
    "procedures": "id-card", "agenda": "christmas-market", "news": "pool-reopens",
    "places": "tourist-office", "numbers": "emergency",
}
TOUR_PIN = "4821"


def tour(variant: str, *, shots: bool = False, details: dict[str, str] = DEMO_DETAILS,
         idle_s: float = 90, pin: str | None = TOUR_PIN, portrait: bool = False) -> list[dict[str, Any]]:
    """Steps visiting every screen once, from the home screen back to it.

    Each screen gets a ``dump`` (and a ``shot``) named ``{variant}-{screen}``. The
    corner press is at the top-left corner, where the admin gesture is.
    """
    steps: list[dict[str, Any]] = []

    def record(name: str) -> None:
        steps.append({"dump": f"{variant}-{name}"})
        if shots:
            steps.append({"shot": f"{variant}-{name}"})

    record("home")
    for category, doc_id in details.items():
        steps.append({"tap": {"tid": f"cat-{category}"}})
        record(f"list-{category}")
        if category == "agenda":
            steps.append({"tap": {"tid": "filter-weekend"}})
            record("list-agenda-weekend")
        steps.append({"tap": {"tid": f"row-{doc_id}"}})
        record(f"detail-{category}")
        steps.append({"tap": {"tid": "nav-home"}})
    steps.append({"advance": idle_s + 1})
    record("idle")
    steps.append({"tap": {"tid": "idle-continue"}})
    if pin:
        steps.append({"press": {"x": 0.005, "y": 0.995}, "hold_s": 5.5})
        record("pin")
        steps += [{"tap": {"tid": f"pin-{d}"}} for d in pin] + [{"tap": {"tid": "pin-ok"}}]
        record("admin")
        steps.append({"tap": {"tid": "admin-close"}})
    return steps


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kiosk.touch.testing.harness")
    p.add_argument("--scenario", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--size", default="1920x1080")
    p.add_argument("--dpi", type=float, default=102.0)
    p.add_argument("--now", default=DEFAULT_NOW)
    p.add_argument("--content", type=Path, default=None)
    p.add_argument("--data", type=Path, default=None, help="a device's data folder (live content and media)")
    p.add_argument("--config", type=Path, default=None, help="a device config (display.dpi, display.width_mm)")
    p.add_argument("--pin-hash", default=None)
    p.add_argument("--idle", type=float, default=90)
    p.add_argument("--countdown", type=float, default=30)
    p.add_argument("--mode", choices=("hybrid", "kiosk"), default="hybrid")
    a = p.parse_args(argv)
    w, h = (int(x) for x in a.size.split("x"))
    dpi = a.dpi
    if a.config is not None:  # as the player does (kiosk.app.touch_layer)
        from kiosk.config import load_config
        from kiosk.touch.theme import screen_dpi

        cfg = load_config(a.config)
        dpi = screen_dpi(w, dpi=cfg.display.dpi, width_mm=cfg.display.width_mm, fallback=a.dpi)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from kiosk.device.kivy_env import prepare_kivy

    prepare_kivy(a.out / ".kivy", headless=True, fullscreen=False, size=(w, h))
    from kiosk.touch.testing.app import HarnessApp  # Kivy is imported only now, configured
    from kiosk.touch.testing.sample import DEMO_CONTENT, content_from_folder, media_from_folder

    cache = None
    if a.data is not None:
        from kiosk.device.cache import open_cache
        from kiosk.device.sync_now import SyncNow

        cache = open_cache(a.data)
        content = cache.read_live()
        if content is None:
            raise SystemExit(f"{a.data}: no live content (sync the device first)")
    else:
        content = content_from_folder(a.content or DEMO_CONTENT)
    clocks = FakeClocks(datetime.fromisoformat(a.now).astimezone(UTC))
    app = HarnessApp(json.loads(a.scenario.read_text("utf-8")), a.out, content, clocks,
                     dpi=dpi, pin_hash=a.pin_hash, idle_s=a.idle, countdown_s=a.countdown,
                     media_path=(cache.store.path_for if cache is not None
                                 else media_from_folder(a.content or DEMO_CONTENT)),
                     sync_now=SyncNow(a.data, a.config) if a.data is not None else None,
                     signage_stand_in=a.mode == "hybrid", derived_dir=a.out / ".derived")
    app.run()
    if cache is not None:
        cache.close()
    app.write_results()
    return 0 if not app.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())

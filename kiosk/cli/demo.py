"""`kiosk demo`: the whole chain on one machine, with no server to install.

Publishes the bundled demo town, serves it on 127.0.0.1 (a free port), syncs it into a
demo data folder exactly as a device would, then runs the player: in a window when a
display is available, otherwise headless with one screenshot per slide.
"""
from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from content_cache import DEFAULT_TIMEZONE
from hub.demo import demo_source_dir
from hub.publisher import PublishError, publish
from hub.refserver import ContentTreeServer
from kiosk.app.kivy_env import display_available
from kiosk.app.run import PlayerOptions, run_player
from kiosk.cli import _in_zone
from player.schedule import DurationLimits, slide_seconds

# In a headless demo every slide is capped to this, so one loop takes well under a minute.
HEADLESS_SLIDE_SECONDS = 5.0
VIDEO_ESTIMATE_SECONDS = 8.0


def demo_data_dir() -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "town-kiosk" / "demo"


def _one_loop_seconds(data: Path, limits: DurationLimits) -> float:
    from content_cache import ContentCache

    with ContentCache(data / "cache") as cache:
        content = cache.read_live()
    if content is None or content.playlist() is None:
        return 30.0
    total = 0.0
    for item in content.playlist().items:  # type: ignore[union-attr]
        s = slide_seconds(item, limits)
        total += min(s, VIDEO_ESTIMATE_SECONDS) if item.kind == "video" else s
    return total + 2.0


def run_demo(args: argparse.Namespace) -> int:
    from kiosk.cli.exit_codes import EXIT_INVALID, EXIT_OK
    from kiosk.cli.sync import run_sync_once

    data: Path = args.data or demo_data_dir()
    data.mkdir(parents=True, exist_ok=True)
    try:
        result = publish(demo_source_dir(), data / "published")
    except PublishError as e:
        for line in e.problems:
            print(f"kiosk: error: {line}")
        return EXIT_INVALID
    print(f"[demo] published the demo town: version {result.version}, {result.media_count} media files")

    server = ContentTreeServer(data / "published", "127.0.0.1", 0).start_background()
    try:
        print(f"[demo] content API serving at {server.url}/v1/manifest.json")
        code = run_sync_once(server.url, data)
        if code != EXIT_OK:
            return code
        print(f"[demo] synced into {data / 'cache'}")

        headless = args.headless or not display_available()
        at = _in_zone(getattr(args, "at", None), DEFAULT_TIMEZONE)  # the demo town's zone
        if at is not None:
            print(f"[demo] playing as if the clock read {at.isoformat(timespec='minutes')}", flush=True)
        if headless:
            limits = DurationLimits(minimum=2.0, maximum=HEADLESS_SLIDE_SECONDS)
            shots = data / "screenshots"
            shutil.rmtree(shots, ignore_errors=True)
            duration = args.duration or _one_loop_seconds(data, limits)
            print(f"[demo] no display: playing headless for {duration:.0f} s; "
                  f"one screenshot per slide goes to {shots}/", flush=True)
            options = PlayerOptions(data_dir=data, fullscreen=False, headless=True, screenshots=shots,
                                    duration_s=duration, size=args.size, limits=limits, preview_at=at)
        else:
            print("[demo] playing in a window; close it to stop", flush=True)
            options = PlayerOptions(data_dir=data, fullscreen=False, headless=False,
                                    duration_s=args.duration, size=args.size, preview_at=at)
        code = run_player(options)
    finally:
        server.stop()
    if headless:
        files = sorted(p.name for p in (data / "screenshots").glob("*.png"))
        print(f"[demo] {len(files)} screenshot(s) in {data / 'screenshots'}:")
        for name in files:
            print(f"         {name}")
    return code

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
from typing import TYPE_CHECKING

from kiosk.cli._common import Commands, Subcommands, in_zone, local_datetime, positive_seconds, screen_size
from kiosk.cli.exit_codes import EXIT_INVALID, EXIT_OK

if TYPE_CHECKING:
    from player.schedule import DurationLimits

# In a headless demo every slide is capped to this, so one loop takes well under a minute.
HEADLESS_SLIDE_SECONDS = 5.0
VIDEO_ESTIMATE_SECONDS = 8.0


def register(sub: Subcommands) -> Commands:
    s = sub.add_parser("demo", help="publish, serve and sync the demo town, then play it")
    s.add_argument("--data", type=Path, default=None, help="demo data folder")
    s.add_argument("--headless", action="store_true", help="render offscreen even if a display exists")
    s.add_argument("--duration", type=positive_seconds, default=None,
                   help="stop after this many seconds (headless default: one full loop)")
    s.add_argument("--size", type=screen_size, default=(1280, 720), help="screen size WxH")
    s.add_argument("--at", type=local_datetime, default=None, metavar="DATE-TIME",
                   help="play as if the clock read this (Europe/Paris unless an offset is given), "
                        "e.g. 2027-10-05T10:00 inside the demo town's election reserve period")
    return {"demo": run_demo}


def demo_data_dir() -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "town-kiosk" / "demo"


def _one_loop_seconds(data: Path, limits: DurationLimits) -> float:
    from content_cache import ContentCache
    from player.schedule import slide_seconds

    with ContentCache(data / "cache") as cache:
        content = cache.read_live()
    playlist = content.playlist() if content is not None else None
    if playlist is None:
        return 30.0
    total = 0.0
    for item in playlist.items:
        s = slide_seconds(item, limits)
        total += min(s, VIDEO_ESTIMATE_SECONDS) if item.kind == "video" else s
    return total + 2.0


def run_demo(args: argparse.Namespace) -> int:
    # The town's side (publisher, reference server) and the player load only for the demo.
    from content_cache import DEFAULT_TIMEZONE
    from hub.demo import demo_source_dir
    from hub.publisher import PublishError, publish
    from hub.refserver import ContentTreeServer
    from kiosk.app.options import PlayerOptions
    from kiosk.app.run import run_player
    from kiosk.cli.logtime import use_town_time
    from kiosk.cli.sync import run_sync_once
    from kiosk.device.kivy_env import display_available
    from player.schedule import DurationLimits

    use_town_time(DEFAULT_TIMEZONE)  # the demo town's clock, as on its screens
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
        at = in_zone(args.at, DEFAULT_TIMEZONE)  # the demo town's zone
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

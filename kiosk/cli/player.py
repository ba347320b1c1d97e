"""`kiosk player` and its controls: `status`, `screenshot`, `next`, `show-test-card`,
`watchdog-test` (the last four talk to the running player over its control socket)."""
from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli._common import (
    Commands,
    Subcommands,
    add_config_option,
    add_data_option,
    data_dir,
    error,
    fail,
    in_zone,
    local_datetime,
    positive_seconds,
    screen_size,
    warning,
)
from kiosk.cli.exit_codes import EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from kiosk.cli.logtime import use_town_time


def register(sub: Subcommands) -> Commands:
    s = sub.add_parser("player", help="play the live content from the cache (no network needed)")
    add_player_arguments(s)

    s = sub.add_parser("status", help="what is on screen and why, content, last sync, cache, outbox")
    add_data_option(s)
    add_config_option(s)
    s.add_argument("--json", action="store_true", help="machine-readable output")

    s = sub.add_parser("screenshot", help="save what the running player shows as a PNG")
    s.add_argument("out", type=Path, help="PNG file to write")
    add_data_option(s)
    s = sub.add_parser("next", help="skip to the next slide")
    add_data_option(s)
    s = sub.add_parser("show-test-card", help="show a test card (colour bars, grid, resolution)")
    add_data_option(s)
    s.add_argument("--seconds", type=positive_seconds, default=30.0)
    s = sub.add_parser("watchdog-test", help="freeze the player's main loop to check that systemd restarts it")
    add_data_option(s)
    s.add_argument("--seconds", type=positive_seconds, default=60.0)
    return {"player": cmd_player, "status": cmd_status, "screenshot": cmd_control, "next": cmd_control,
            "show-test-card": cmd_control, "watchdog-test": cmd_control}


def add_player_arguments(s: argparse.ArgumentParser) -> None:
    add_data_option(s)
    add_config_option(s)
    s.add_argument("--windowed", action="store_true", help="run in a window instead of full screen")
    s.add_argument("--headless", action="store_true", help="render offscreen (no display needed)")
    s.add_argument("--screenshots", type=Path, default=None, help="save one PNG per slide shown here")
    s.add_argument("--duration", type=positive_seconds, default=None, help="stop after this many seconds")
    s.add_argument("--size", type=screen_size, default=None, help="window/offscreen size WxH")
    s.add_argument("--lang", default=None, help="display language (default: the site's first)")
    s.add_argument("--playlist", default=None, help="playlist id (default: the site's)")
    s.add_argument("--max-slide-seconds", type=positive_seconds, default=None,
                   help="cap every slide's duration (for previews and tests)")
    s.add_argument("--mode", choices=("signage", "kiosk", "hybrid"), default=None,
                   help="signage loop, touch kiosk, or both (default: device.mode of the config, else signage)")
    s.add_argument("--at", type=local_datetime, default=None, metavar="DATE-TIME",
                   help="preview: play as if the clock read this (e.g. 2027-10-05T10:00, site time); "
                        "nothing is recorded as played")
    s.add_argument("--idle-fps", type=positive_seconds, default=None,
                   help="frame rate while a still slide is shown (default: 1 in signage mode, 4 with "
                        "the touch UI; 60 = Kivy's usual)")


def cmd_player(args: argparse.Namespace) -> int:
    from kiosk.app.options import PlayerOptions
    from kiosk.app.run import run_player
    from kiosk.config import ConfigError, load_device_config
    from kiosk.device.kivy_env import display_available
    from player.schedule import DurationLimits

    try:
        cfg = load_device_config(args.config)
    except ConfigError as e:
        for line in e.lines():
            error(line)
        return EXIT_USAGE
    use_town_time(cfg.device.timezone)
    headless = args.headless or bool(args.screenshots and not display_available())
    if not headless and not display_available() and not _has_kms():
        return fail("no display found (DISPLAY/WAYLAND_DISPLAY unset); use --headless", EXIT_USAGE)
    limits = DurationLimits()
    if args.max_slide_seconds:
        limits = DurationLimits(minimum=min(limits.minimum, args.max_slide_seconds),
                                maximum=args.max_slide_seconds)
    options = PlayerOptions(
        data_dir=data_dir(args.data, cfg),
        fullscreen=not (args.windowed or headless),
        headless=headless,
        screenshots=args.screenshots,
        duration_s=args.duration,
        size=args.size or ((1280, 720) if headless or args.windowed else (1920, 1080)),
        lang=args.lang,
        playlist=args.playlist,
        limits=limits,
        idle_fps=args.idle_fps,
        mode=args.mode or cfg.device.mode,
        device_id=cfg.device.id,
        admin_pin_hash=cfg.device.admin_pin_hash,
        ticker=cfg.display.ticker,
        orientation=cfg.display.orientation,
        display_dpi=cfg.display.dpi,
        display_width_mm=cfg.display.width_mm,
        frame_flush=cfg.player.frame_flush,
        heap_trim=cfg.player.heap_trim,
        config_path=args.config,
        config=cfg,
        preview_at=in_zone(args.at, cfg.device.timezone),
    )
    return run_player(options)


def _has_kms() -> bool:
    # On a Pi without X or Wayland, SDL renders straight to the screen through KMS/DRM.
    return Path("/dev/dri/card0").exists() or Path("/dev/dri/card1").exists()


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.config import Config, ConfigError, load_device_config
    from kiosk.device.status import gather, render, to_json

    cfg: Config | None
    try:
        cfg = load_device_config(args.config)
    except ConfigError as e:  # status still shows what it can; the config's problems first
        for line in e.lines():
            warning(line)
        cfg = None
    info = gather(data_dir(args.data, cfg), neutrality=cfg.neutrality if cfg else None)
    print(to_json(info) if args.json else render(info))
    return EXIT_OK


def cmd_control(args: argparse.Namespace) -> int:
    from kiosk.device.control import ControlError, call, socket_path

    sock = socket_path(data_dir(args.data))
    try:
        if args.command == "screenshot":
            reply = call(sock, "screenshot", path=str(args.out.resolve()))
            print(f"{reply['path']} ({reply['size'][0]}×{reply['size'][1]})")
        elif args.command == "next":
            print(f"showing {call(sock, 'next')['showing']}")
        elif args.command == "show-test-card":
            call(sock, "test-card", seconds=args.seconds)
            print(f"test card on screen for {args.seconds:.0f} s")
        else:
            call(sock, "freeze", seconds=args.seconds)
            print(f"player main loop frozen for {args.seconds:.0f} s; under systemd the watchdog restarts it")
    except ControlError as e:
        return fail(str(e), EXIT_UNREACHABLE)
    return EXIT_OK

"""The `kiosk` command (``kiosk.cli:main``), run by a technician, the systemd units and CI.

Errors a technician can act on are printed as one line (``kiosk: error: ...``) with a
documented exit code; tracebacks are for bugs only.
"""
from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from pathlib import Path

from kiosk import __version__
from kiosk.cli.exit_codes import EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from kiosk.cli.logtime import use_town_time
from kiosk.cli.sync import cmd_sync, load_device_config
from kiosk.config.paths import default_data_dir

SYNC_EPILOG = """Without --once, runs as a daemon (polls, uploads the outbox, sends heartbeats)
until SIGTERM. Settings come from the config file (/etc/kiosk/kiosk.toml when present);
options given here override it.

exit codes of --once:
  0  the live content is up to date (updated, or nothing changed)
  2  bad usage or an invalid config file (each problem on its own line)
  3  the content API could not be reached or answered an HTTP error
  4  the manifest is invalid (each problem is printed on its own line)
  5  some media could not be downloaded or failed verification
  6  the new version does not fit in cache.max_bytes
  7  stopped by a signal (partial downloads are kept and resumed next time)
In every failure case the previous live content stays live."""


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size {text} out of range 64..8192")
    return w, h


def _positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return v


def _local_datetime(text: str) -> datetime:
    """An ISO date-time; without an offset it is read in the device's time zone (applied later)."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date-time such as 2027-10-05T10:00, got {text!r}") from None


def _datetime(text: str) -> datetime:
    dt = _local_datetime(text)
    if dt.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset (e.g. Z or +01:00)")
    return dt


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk", description="Town touch-kiosk and signage player.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("publish", help="turn a content source folder into the served API tree")
    s.add_argument("src", type=Path, help="source folder (site.toml, playlists/, bulletins/, kiosk/, media/)")
    s.add_argument("dest", type=Path, help="output folder to serve (DEST/v1/...)")
    s.add_argument("--published-at", type=_datetime, help="publication time (default: now)")
    from hub.sources_cli import add_publish_arguments, register_sources_commands  # content sources
    add_publish_arguments(s)
    register_sources_commands(sub, COMMANDS)

    s = sub.add_parser("serve", help="serve a published tree (reference content API server)")
    s.add_argument("dir", type=Path)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--accept-events", action="store_true",
                   help="accept device uploads (proof of play, heartbeats) into DIR/events/")

    s = sub.add_parser("sync", help="fetch new content into the local cache",
                       epilog=SYNC_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--once", action="store_true", help="run one sync pass and exit")
    s.add_argument("--config", type=Path, default=None, help="config file (default: /etc/kiosk/kiosk.toml if present)")
    s.add_argument("--api", default=None, help="content API base URL, e.g. https://contenu.example.fr")
    s.add_argument("--data", type=Path, default=None, help="data folder")
    s.add_argument("--device-id", default=None, help="this device's id (per-device manifest, uploads)")
    s.add_argument("--interval", type=_positive, default=None, help="daemon: seconds between polls")
    s.add_argument("--max-bytes", default=None, help="cache quota, e.g. 8G (default: none)")
    s.add_argument("--quiet", action="store_true", help="--once: no progress line, summary only")

    s = sub.add_parser("player", help="play the live content from the cache (no network needed)")
    _player_args(s)

    s = sub.add_parser("status", help="what is on screen and why, content, last sync, cache, outbox")
    s.add_argument("--data", type=Path, default=None, help="data folder")
    s.add_argument("--config", type=Path, default=None, help="config file (default: /etc/kiosk/kiosk.toml if present)")
    s.add_argument("--json", action="store_true", help="machine-readable output")

    s = sub.add_parser("screenshot", help="save what the running player shows as a PNG")
    s.add_argument("out", type=Path, help="PNG file to write")
    s.add_argument("--data", type=Path, default=None, help="data folder")
    for name, text in (("next", "skip to the next slide"),
                       ("show-test-card", "show a test card (colour bars, grid, resolution)")):
        s = sub.add_parser(name, help=text)
        s.add_argument("--data", type=Path, default=None, help="data folder")
        if name == "show-test-card":
            s.add_argument("--seconds", type=_positive, default=30.0)
    s = sub.add_parser("watchdog-test", help="freeze the player's main loop to check that systemd restarts it")
    s.add_argument("--data", type=Path, default=None, help="data folder")
    s.add_argument("--seconds", type=_positive, default=60.0)

    s = sub.add_parser("demo", help="publish, serve and sync the demo town, then play it")
    s.add_argument("--data", type=Path, default=None, help="demo data folder")
    s.add_argument("--headless", action="store_true", help="render offscreen even if a display exists")
    s.add_argument("--duration", type=_positive, default=None,
                   help="stop after this many seconds (headless default: one full loop)")
    s.add_argument("--size", type=_size, default=(1280, 720), help="screen size WxH")
    s.add_argument("--at", type=_local_datetime, default=None, metavar="DATE-TIME",
                   help="play as if the clock read this (Europe/Paris unless an offset is given), "
                        "e.g. 2027-10-05T10:00 inside the demo town's election reserve period")

    from kiosk.cli.device import register_device_commands  # provision, doctor, import
    register_device_commands(sub, COMMANDS)
    from kiosk.cli.reports import register_report_commands  # report plays|neutrality
    register_report_commands(sub, COMMANDS)
    from hub.cli import add_hub_commands  # kiosk hub serve|migrate|create-admin|enrol-code|metrics-token
    add_hub_commands(sub, COMMANDS)
    return p


def _player_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--data", type=Path, default=None, help="data folder")
    s.add_argument("--config", type=Path, default=None, help="config file (default: /etc/kiosk/kiosk.toml if present)")
    s.add_argument("--windowed", action="store_true", help="run in a window instead of full screen")
    s.add_argument("--headless", action="store_true", help="render offscreen (no display needed)")
    s.add_argument("--screenshots", type=Path, default=None, help="save one PNG per slide shown here")
    s.add_argument("--duration", type=_positive, default=None, help="stop after this many seconds")
    s.add_argument("--size", type=_size, default=None, help="window/offscreen size WxH")
    s.add_argument("--lang", default=None, help="display language (default: the site's first)")
    s.add_argument("--playlist", default=None, help="playlist id (default: the site's)")
    s.add_argument("--max-slide-seconds", type=_positive, default=None,
                   help="cap every slide's duration (for previews and tests)")
    s.add_argument("--mode", choices=("signage", "kiosk", "hybrid"), default=None,
                   help="signage loop, touch kiosk, or both (default: device.mode of the config, else signage)")
    s.add_argument("--at", type=_local_datetime, default=None, metavar="DATE-TIME",
                   help="preview: play as if the clock read this (e.g. 2027-10-05T10:00, site time); "
                        "nothing is recorded as played")
    s.add_argument("--idle-fps", type=_positive, default=None,
                   help="frame rate while a still slide is shown (default: 1 in signage mode, 4 with "
                        "the touch UI; 60 = Kivy's usual)")


def _configure_logging(verbose: bool) -> None:
    from kiosk.cli.logtime import TownTimeFormatter

    handler = logging.StreamHandler(sys.stderr)
    # the town's time with its offset (kiosk.cli.logtime), to match a line with the screen's clock
    handler.setFormatter(TownTimeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    # APScheduler logs every job run at INFO: a small journal must keep state changes only.
    for noisy in ("urllib3", "kivy", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def fail(message: str, code: int) -> int:
    print(f"kiosk: error: {message}", file=sys.stderr)
    return code


def cmd_publish(args: argparse.Namespace) -> int:
    from hub.sources_cli import cmd_publish as publish_with_sources  # the content folder and its sources

    return publish_with_sources(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from hub.refserver import ContentTreeServer

    manifest = args.dir / "v1" / "manifest.json"
    if not manifest.is_file():
        return fail(f"{manifest}: not found (run `kiosk publish SRC {args.dir}` first)", EXIT_USAGE)
    try:
        server = ContentTreeServer(args.dir, args.host, args.port, accept_events=args.accept_events)
    except OSError as e:
        return fail(f"cannot listen on {args.host}:{args.port}: {e.strerror}", EXIT_USAGE)
    print(f"serving {args.dir} at {server.url}/v1/manifest.json (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def cmd_player(args: argparse.Namespace) -> int:
    from kiosk.app.kivy_env import display_available
    from kiosk.app.run import PlayerOptions, run_player
    from kiosk.config import ConfigError
    from player.schedule import DurationLimits

    try:
        cfg = load_device_config(getattr(args, "config", None))
    except ConfigError as e:
        for line in e.lines():
            print(f"kiosk: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    use_town_time(cfg.timezone)
    headless = args.headless or bool(args.screenshots and not display_available())
    if not headless and not display_available() and not _has_kms():
        return fail("no display found (DISPLAY/WAYLAND_DISPLAY unset); use --headless", EXIT_USAGE)
    limits = DurationLimits()
    if args.max_slide_seconds:
        limits = DurationLimits(minimum=min(limits.minimum, args.max_slide_seconds),
                                maximum=args.max_slide_seconds)
    options = PlayerOptions(
        data_dir=args.data or cfg.data_dir or default_data_dir(),
        fullscreen=not (args.windowed or headless),
        headless=headless,
        screenshots=args.screenshots,
        duration_s=args.duration,
        size=args.size or ((1280, 720) if headless or args.windowed else (1920, 1080)),
        lang=args.lang,
        playlist=args.playlist,
        limits=limits,
        idle_fps=args.idle_fps,
        mode=args.mode or cfg.mode,
        device_id=cfg.device_id,
        admin_pin_hash=cfg.admin_pin_hash,
        ticker=cfg.ticker,
        orientation=cfg.orientation,
        display_dpi=cfg.display_dpi,
        display_width_mm=cfg.display_width_mm,
        config_path=getattr(args, "config", None),
        config=cfg,
        preview_at=_in_zone(args.at, cfg.timezone),
    )
    return run_player(options)


def _in_zone(at: datetime | None, tz: str) -> datetime | None:
    from zoneinfo import ZoneInfo

    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=ZoneInfo(tz))


def _has_kms() -> bool:
    # On a Pi without X or Wayland, SDL renders straight to the screen through KMS/DRM.
    return Path("/dev/dri/card0").exists() or Path("/dev/dri/card1").exists()


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError
    from kiosk.device.status import gather, render, to_json

    try:
        cfg = load_device_config(getattr(args, "config", None))
    except ConfigError as e:  # status still shows what it can; the config's problems first
        for line in e.lines():
            print(f"kiosk: warning: {line}", file=sys.stderr)
        cfg = None
    info = gather(args.data or (cfg.data_dir if cfg else None) or default_data_dir(),
                  neutrality=cfg.neutrality if cfg else None)
    print(to_json(info) if args.json else render(info))
    return EXIT_OK


def cmd_control(args: argparse.Namespace) -> int:
    from kiosk.device.control import ControlError, call, socket_path

    sock = socket_path(args.data or default_data_dir())
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


def cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.cli.demo import run_demo

    return run_demo(args)


COMMANDS = {
    "publish": cmd_publish,
    "serve": cmd_serve,
    "sync": cmd_sync,
    "player": cmd_player,
    "demo": cmd_demo,
    "status": cmd_status,
    "screenshot": cmd_control,
    "next": cmd_control,
    "show-test-card": cmd_control,
    "watchdog-test": cmd_control,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

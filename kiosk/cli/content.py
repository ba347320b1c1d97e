"""`kiosk publish`, `kiosk sources` and `kiosk serve`: the town's content tree, made from the
content folder and its sources, and served (the ``hub`` package does the work)."""
from __future__ import annotations

import argparse
from pathlib import Path

from content_cache import DEFAULT_TIMEZONE
from kiosk.cli._common import Commands, Subcommands, aware_datetime, fail
from kiosk.cli.exit_codes import EXIT_OK, EXIT_USAGE
from kiosk.cli.logtime import use_town_time


def register(sub: Subcommands) -> Commands:
    s = sub.add_parser("publish", help="turn a content source folder into the served API tree")
    s.add_argument("src", type=Path, help="source folder (site.toml, playlists/, bulletins/, kiosk/, media/)")
    s.add_argument("dest", type=Path, help="output folder to serve (DEST/v1/...)")
    s.add_argument("--published-at", type=aware_datetime, help="publication time (default: now)")
    # The content sources (hub/sources_cli.py; building the parser loads none of them).
    from hub.sources_cli import add_publish_arguments, register_sources_commands

    add_publish_arguments(s)
    commands: Commands = {"publish": cmd_publish}
    register_sources_commands(sub, commands)  # kiosk sources check

    s = sub.add_parser("serve", help="serve a published tree (reference content API server)")
    s.add_argument("dir", type=Path)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--accept-events", action="store_true",
                   help="accept device uploads (proof of play, heartbeats) into DIR/events/")
    commands["serve"] = cmd_serve
    return commands


def cmd_publish(args: argparse.Namespace) -> int:
    from hub.sources_cli import cmd_publish as publish_with_sources  # the content folder and its sources

    use_town_time(site_timezone(Path(args.src)))
    return publish_with_sources(args)


def site_timezone(src: Path) -> str:
    """The content's own time zone (site.toml's ``timezone``), for the log lines' stamps:
    the publisher checks and reports the file itself."""
    import tomllib

    try:
        with (src / "site.toml").open("rb") as f:
            zone = tomllib.load(f).get("site", {}).get("timezone")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        zone = None
    return zone if isinstance(zone, str) else DEFAULT_TIMEZONE


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

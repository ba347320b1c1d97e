"""`kiosk publish` and `kiosk serve`: the town's content tree, made and served (``hub``)."""
from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli._common import Commands, Subcommands, aware_datetime, error, fail, warning
from kiosk.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE


def register(sub: Subcommands) -> Commands:
    s = sub.add_parser("publish", help="turn a content source folder into the served API tree")
    s.add_argument("src", type=Path, help="source folder (site.toml, playlists/, bulletins/, kiosk/, media/)")
    s.add_argument("dest", type=Path, help="output folder to serve (DEST/v1/...)")
    s.add_argument("--published-at", type=aware_datetime, help="publication time (default: now)")

    s = sub.add_parser("serve", help="serve a published tree (reference content API server)")
    s.add_argument("dir", type=Path)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--accept-events", action="store_true",
                   help="accept device uploads (proof of play, heartbeats) into DIR/events/")
    return {"publish": cmd_publish, "serve": cmd_serve}


def cmd_publish(args: argparse.Namespace) -> int:
    from hub.publisher import PublishError, publish

    try:
        r = publish(args.src, args.dest, args.published_at)
    except PublishError as e:
        for line in e.problems:
            error(line)
        return EXIT_INVALID
    for line in r.warnings:
        warning(line)
    state = "published" if r.changed else "unchanged"
    print(f"{state}: version {r.version}, {r.media_count} media file(s), "
          f"{r.media_bytes / 1e6:.1f} MB → {r.manifest_path}")
    return EXIT_OK


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

"""Technician commands: ``kiosk provision``, ``kiosk doctor``, ``kiosk import``.

Each prints one-line errors (``kiosk: error: …``) and has documented exit codes.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import pwd
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.cli._common import Commands, Subcommands, add_config_option, add_data_option, data_dir, error, warning

if TYPE_CHECKING:
    from kiosk.device.enrol import Enrolled
    from kiosk.device.provision import Layout

PROVISION_EPILOG = """Keys not given keep their current value; a second identical run prints
"nothing to change" and rewrites nothing. The token is read from --token-file or stdin
(never from the command line, where `ps` would show it) and never printed.

exit codes:
  0  done (each change on its own line, or "nothing to change")
  1  written, but the content API refused the registration (see the warning)
  2  invalid settings or config: nothing was written (each problem on its own line)"""

DOCTOR_EPILOG = """exit codes: 0 no check failed (warnings allowed), 1 at least one check failed."""

IMPORT_EPILOG = """PATH is the folder holding v1/manifest.json (the mounted USB key), or the key's
block device (/dev/sda1) when it is mounted. The pack is verified like a download; a
tampered or incomplete pack is refused and the previous version stays live.

exit codes: 0 imported or already live, 2 not a pack / bad config, 4 invalid manifest,
5 a media file is missing or does not match, 6 over cache.max_bytes, 7 stopped."""

_DAY_RE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)=(.+)$")


def _day(text: str) -> tuple[str, str]:
    m = _DAY_RE.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"expected DAY=HOURS (e.g. sun=off, sat=08:00-20:00), got {text!r}")
    return m.group(1), m.group(2).strip()


def register(sub: Subcommands) -> Commands:
    fmt = argparse.RawDescriptionHelpFormatter
    s = sub.add_parser("provision", help="write this device's config and token, create its data folder, register it",
                       epilog=PROVISION_EPILOG, formatter_class=fmt)
    s.add_argument("--root", type=Path, default=Path("/"), help="prefix of every system path (tests, image builds)")
    s.add_argument("--config", type=Path, default=None, help="config file (default /etc/kiosk/kiosk.toml)")
    s.add_argument("--device-id", help="this device's id (a-z, 0-9, '-', '_')")
    s.add_argument("--api", help="content API base URL")
    tok = s.add_mutually_exclusive_group()
    tok.add_argument("--token-file", type=Path, help="read the API token from this file")
    tok.add_argument("--token-stdin", action="store_true", help="read the API token from standard input")
    tok.add_argument("--enrol", metavar="CODE",
                     help="get this device's own token from the hub with a one-time code (kiosk hub enrol-code)")
    s.add_argument("--ca-bundle", help="CA bundle for the API's TLS certificate")
    s.add_argument("--mode", help="signage | kiosk | hybrid")
    s.add_argument("--timezone", help="site time zone (default Europe/Paris)")
    s.add_argument("--orientation", type=int, help="screen rotation: 0, 90, 180 or 270")
    s.add_argument("--display-on", metavar="HH:MM", help="screen on at (every day)")
    s.add_argument("--display-off", metavar="HH:MM", help="screen off at (every day)")
    s.add_argument("--display-day", metavar="DAY=HOURS", type=_day, action="append",
                   help="a weekday's own hours: off, on or HH:MM-HH:MM (repeat; replaces all per-day hours)")
    s.add_argument("--no-display-schedule", action="store_true", help="remove the display schedule (always on)")
    s.add_argument("--power-backend", help="auto, vcgencmd, wlr-randr, xset, cec, backlight or none")
    s.add_argument("--data-dir", help="data folder on the device (default /var/lib/kiosk)")
    s.add_argument("--max-cache", help="cache quota, e.g. 8G")
    s.add_argument("--user", default="kiosk", help="service user owning the token and data (default kiosk)")
    s.add_argument("--no-register", action="store_true", help="do not register with the content API")

    s = sub.add_parser("doctor", help="check this device and say how to fix what is wrong",
                       epilog=DOCTOR_EPILOG, formatter_class=fmt)
    s.add_argument("--root", type=Path, default=Path("/"), help="prefix of the config path")
    s.add_argument("--config", type=Path, default=None, help="config file (default /etc/kiosk/kiosk.toml)")
    s.add_argument("--data", type=Path, default=None, help="data folder (default: the config's, else /var/lib/kiosk)")
    s.add_argument("--user", default=None, help="user the player runs as (default kiosk if it exists)")
    s.add_argument("--json", action="store_true", help="print the results as JSON")

    s = sub.add_parser("import", help="import a content pack from a USB key or folder",
                       epilog=IMPORT_EPILOG, formatter_class=fmt)
    s.add_argument("path", type=Path, help="folder with v1/manifest.json, or a mounted block device")
    add_data_option(s)
    add_config_option(s, "config file (default /etc/kiosk/kiosk.toml if present)")
    return {"provision": cmd_provision, "doctor": cmd_doctor, "import": cmd_import}


# -- provision -------------------------------------------------------------------------------
def provision_settings(args: argparse.Namespace) -> dict[str, object]:
    given = {
        "device.id": args.device_id, "device.mode": args.mode, "device.timezone": args.timezone,
        "api.url": args.api, "api.ca_bundle": args.ca_bundle,
        "cache.dir": args.data_dir, "cache.max_bytes": args.max_cache,
        "display.orientation": args.orientation, "display.power_backend": args.power_backend,
        "display.on": args.display_on, "display.off": args.display_off,
    }
    settings: dict[str, object] = {}
    if args.no_display_schedule:  # first, so hours given with it are the new schedule
        settings.update({"display.on": None, "display.off": None, "display.week": None})
    settings.update({k: v for k, v in given.items() if v is not None})
    if args.display_day:
        settings["display.week"] = dict(args.display_day)
    return settings


def cmd_provision(args: argparse.Namespace) -> int:
    from kiosk.config import DEFAULT_CONFIG
    from kiosk.device.provision import Layout, ProvisionError, ProvisionRequest, provision

    token = None
    try:
        if args.token_file:
            token = args.token_file.read_text("utf-8").strip()
        elif args.token_stdin:
            token = sys.stdin.readline().strip()
    except OSError as e:
        error(f"--token-file {args.token_file}: {e.strerror}")
        return 2
    layout = Layout(root=args.root, config=args.config or DEFAULT_CONFIG)
    settings = provision_settings(args)
    if args.enrol:
        enrolled = enrol_with_code(args, layout, settings)
        if enrolled is None:
            return 2
        settings["device.id"] = enrolled.device_id
        token = enrolled.token  # None: enrolled already with this code; the token file stays
    request = ProvisionRequest(settings, token=token, service_user=args.user,
                               register=not args.no_register)
    try:
        result = provision(request, layout)
    except ProvisionError as e:
        for line in e.problems:
            error(line)
        print("kiosk: nothing was written", file=sys.stderr)
        return 2
    except OSError as e:
        error(f"{e.filename}: {e.strerror}" + (" (run with sudo)" if isinstance(e, PermissionError) else ""))
        return 2
    for line in result.changes or ("nothing to change",):
        print(line)
    for line in result.warnings:
        warning(line)
    return 1 if result.registration_failed else 0


def enrol_with_code(args: argparse.Namespace, layout: Layout, settings: dict[str, object]) -> Enrolled | None:
    """The hub's answer to ``--enrol CODE``, or None after printing why (nothing written)."""
    from kiosk.device.enrol import EnrolFailed, enrol
    from kiosk.device.provision import ProvisionError, read_current

    try:
        current = read_current(layout.config_file)
    except ProvisionError as e:
        error(e.problems[0])
        return None
    api = args.api or current.get("api", {}).get("url")
    if not api:
        error("--enrol needs the hub's address: give --api URL")
        return None
    device_id = args.device_id or current.get("device", {}).get("id")
    ca = args.ca_bundle or current.get("api", {}).get("ca_bundle")
    token = layout.token_file.read_text("utf-8").strip() if layout.token_file.is_file() else None
    try:
        result = enrol(str(api), args.enrol, device_id, ca_bundle=Path(ca) if ca else None, current_token=token)
    except EnrolFailed as e:
        error(f"--enrol: {e}")
        print("kiosk: nothing was written", file=sys.stderr)
        return None
    if result.already:
        print(f"enrolled already with this code as {result.device_id}")
    else:
        print(f"enrolled with {api} as {result.device_id} (a token of its own)")
    return result


# -- doctor ----------------------------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.config import DEFAULT_CONFIG
    from kiosk.device.doctor import FAIL, format_results, json_report, run_checks
    from kiosk.device.provision import Layout

    layout = Layout(root=args.root, config=args.config or DEFAULT_CONFIG)
    results = run_checks(layout.config_file, data_dir=args.data, user=args.user, root=args.root)
    failed = any(r.status == FAIL for r in results)
    if args.json:
        print(json.dumps(json_report(results, layout.config_file), ensure_ascii=False, indent=1))
    else:
        print(format_results(results))
    return 1 if failed else 0


# -- import ----------------------------------------------------------------------------------
_IMPORT_EXIT = {"unreachable": 2, "invalid": 4, "incomplete": 5, "refused": 6, "stopped": 7, "busy": 9,
                "no-space": 10, "read-only": 11}


def cmd_import(args: argparse.Namespace) -> int:
    import signal
    import threading

    from kiosk.config import ConfigError, load_device_config
    from kiosk.device.usb_import import PackPathError, import_pack, resolve_pack_path

    try:
        cfg = load_device_config(args.config)
        pack = resolve_pack_path(args.path)
    except ConfigError as e:
        for line in e.lines():
            error(line)
        return 2
    except PackPathError as e:
        error(str(e))
        return 2
    data = data_dir(args.data, cfg)
    owner = foreign_owner(data)
    if owner:
        error(f"{data} belongs to {owner}: run as that user (sudo -u {owner} kiosk import {args.path})")
        return 2
    if not args.verbose:  # the result is printed below, once; the syncer's log would repeat it
        for name in ("sync", "content_cache", "kiosk.device.usb_import"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        result = import_pack(pack, data, cfg, stop=stop)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if result.ok:
        print(f"import {result.outcome}: live version {result.live_version}, {result.files_fetched} file(s) / "
              f"{result.bytes_fetched / 1e6:.1f} MB copied from {pack}")
        return 0
    for line in result.problems or (result.message,):
        error(line)
    if result.live_version:
        print(f"kiosk: version {result.live_version} stays live", file=sys.stderr)
    return _IMPORT_EXIT.get(result.outcome, 5)


def foreign_owner(folder: Path) -> str | None:
    """The owner's name when root is about to write into another user's data folder:
    files root would create there (the SQLite WAL) would lock the kiosk services out."""
    if os.geteuid() != 0 or not folder.exists():
        return None
    uid = folder.stat().st_uid
    if uid == 0:
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)

"""``kiosk hub …``: the town's hub from the command line (serve, migrate, create-admin,
enrol-code, metrics-token).

:func:`add_hub_commands` adds the ``hub`` group to the ``kiosk`` parser and its handler to
the command table; building the parser imports nothing of the hub's libraries, so
``kiosk --help`` works on a device. Running a hub command without the ``hub`` extra says
so in one line.
"""
from __future__ import annotations

import argparse
import contextlib
import getpass
import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from content_cache import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from hub.db import Database
    from hub.settings import HubSettings

DEFAULT_DATA = Path("/var/lib/kiosk-hub")
URL_ENV = "KIOSK_HUB_DATABASE_URL"
NEEDED = ("flask", "flask_wtf", "flask_login", "argon2", "alembic", "gunicorn", "prometheus_client")
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

SERVE_EPILOG = """The hub publishes --content (if given) into DATA/published at start, applies the
database migrations, then serves with gunicorn: the content API for devices (a token each),
the fleet page for staff, /metrics for Prometheus. The database is SQLite in DATA unless
--database-url (or $KIOSK_HUB_DATABASE_URL, which keeps a password out of `ps`) names a
PostgreSQL database, e.g. postgresql://hub@/hub."""


def _err(line: str) -> None:
    print(f"kiosk: error: {line}", file=sys.stderr)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=None,
                   help=f"the hub's data folder (default $KIOSK_HUB_DATA or {DEFAULT_DATA})")
    p.add_argument("--database-url", default=None, help=f"database URL (default ${URL_ENV}, else SQLite in DATA)")


def add_hub_commands(sub: argparse._SubParsersAction,
                     commands: dict[str, Callable[[argparse.Namespace], int]]) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    hub = sub.add_parser("hub", help="the town's hub: content API with a token per device, fleet page, metrics")
    hs = hub.add_subparsers(dest="hub_command", required=True, metavar="HUB_COMMAND")

    s = hs.add_parser("serve", help="serve the content API, the fleet page and the metrics",
                      epilog=SERVE_EPILOG, formatter_class=fmt)
    _common(s)
    s.add_argument("--content", type=Path, default=None, help="content folder to publish at start (site.toml, …)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    s.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    s.add_argument("--access-log", action="store_true", help="log every request (noisy with many devices)")
    s.add_argument("--insecure-cookies", action="store_true",
                   help="session cookies without Secure, for plain HTTP on 127.0.0.1 only (tests, a first look)")
    s.add_argument("--offline-polls", type=int, default=3,
                   help="a device is offline after this many of its poll intervals without contact (default 3)")
    s.add_argument("--timezone", default=DEFAULT_TIMEZONE, help=f"time zone of the pages (default {DEFAULT_TIMEZONE})")
    s.add_argument("--page-refresh", type=int, default=10, metavar="SECONDS",
                   help="how often the fleet pages refresh themselves (default 10)")
    s.add_argument("--dev", action="store_true", help="werkzeug's server in one process instead of gunicorn")

    s = hs.add_parser("migrate", help="bring the hub's database to the newest schema")
    _common(s)

    s = hs.add_parser("create-admin", help="make a staff account with the admin role (or other roles)")
    _common(s)
    s.add_argument("username")
    s.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    s.add_argument("--role", action="append", default=None,
                   help="role to give (repeat; default admin): viewer, technician, editor, publisher, admin")
    s.add_argument("--language", choices=("fr", "en"), default="fr")

    s = hs.add_parser("enrol-code", help="make a one-time code for `kiosk provision --enrol CODE`")
    _common(s)
    s.add_argument("--device", default=None, help="the device id the code is for (else the device gives its own)")
    s.add_argument("--place", default="", help="where the screen is, shown on the fleet page")
    s.add_argument("--valid-hours", type=float, default=24.0, help="hours before the code expires (default 24)")

    s = hs.add_parser("metrics-token", help="print the file holding the /metrics bearer token (made if missing)")
    _common(s)
    s.add_argument("--rotate", action="store_true", help="replace the token (restart the hub afterwards)")

    s = hs.add_parser("audit", help="the editor's audit trail (changes, approvals, publications, contents) as CSV or JSON",
                      epilog=AUDIT_EPILOG, formatter_class=fmt)
    _common(s)
    s.add_argument("--from", dest="start", type=_day, default=None, metavar="DAY", help="first day (YYYY-MM-DD)")
    s.add_argument("--to", dest="end", type=_day, default=None, metavar="DAY", help="last day, included")
    s.add_argument("--election", default=None, metavar="NAME",
                   help="the reserve period of this election (from --content's site.toml) instead of --from/--to")
    s.add_argument("--content", type=Path, default=None, help="the content folder (for --election)")
    s.add_argument("--csv", dest="format", action="store_const", const="csv", default="csv", help="CSV (default)")
    s.add_argument("--json", dest="format", action="store_const", const="json", help="JSON")
    s.add_argument("--lang", choices=("fr", "en"), default="fr", help="column names and words (default fr)")
    s.add_argument("--timezone", default="Europe/Paris", help="times in this zone (default Europe/Paris)")
    s.add_argument("--out", type=Path, default=None, help="write to this file (default: standard output)")

    commands["hub"] = run_hub


AUDIT_EPILOG = """What the hub's editor recorded: every change (who, when, a readable diff, the election-period
verdict, who approved it), every publication (who, which version) and what each version
contained. For an election, give --election NAME --content DIR: the rows of its reserve period.
This is the hub's side of the evidence; each screen's own is `kiosk report neutrality` (what it
withheld and showed), run on the device."""


def _day(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day such as 2027-09-01, got {text!r}") from None


def missing_dependencies() -> list[str]:
    return [m for m in NEEDED if importlib.util.find_spec(m) is None]


def run_hub(args: argparse.Namespace) -> int:
    missing = missing_dependencies()
    if missing:
        _err(f"the hub needs its extra: pip install 'town-kiosk[hub]' (missing: {', '.join(missing)})")
        return EXIT_USAGE
    handler = {"serve": cmd_serve, "migrate": cmd_migrate, "create-admin": cmd_create_admin,
               "enrol-code": cmd_enrol_code, "metrics-token": cmd_metrics_token, "audit": cmd_audit}[args.hub_command]
    from hub.db import DatabaseError

    if args.hub_command != "serve" and not getattr(args, "verbose", False):
        # These print what they did; the libraries' INFO lines of the same would say it twice.
        logging.getLogger("hub").setLevel(logging.WARNING)
    try:
        return handler(args)
    except DatabaseError as e:
        _err(str(e))
        return EXIT_USAGE


def _settings(args: argparse.Namespace, **kw: Any) -> HubSettings:
    from hub.settings import HubSettings

    data = args.data or Path(os.environ.get("KIOSK_HUB_DATA") or DEFAULT_DATA)
    url = args.database_url or os.environ.get(URL_ENV) or None
    from dataclasses import replace

    return replace(HubSettings(data_dir=data, database_url=url), **kw)


def _open(settings: HubSettings, migrate: bool = True) -> Database:
    """The database, migrated; one clear line if it cannot be reached."""
    from sqlalchemy.exc import OperationalError

    from hub.db import Database, DatabaseError
    from hub.db import migrate as apply

    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseError(f"{settings.data_dir}: {e.strerror} (give --data or run as the hub's user)") from None
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugin lines are not for a technician
    db = Database(settings.url)
    try:
        for rev in (apply(db) if migrate else []):
            print(f"database {db.safe_url}: revision {rev} applied")
    except OperationalError as e:
        raise DatabaseError(f"{db.safe_url}: cannot open the database: {str(e.orig).strip().splitlines()[0]}") from None
    return db


def cmd_migrate(args: argparse.Namespace) -> int:
    from hub.db import current_revision

    db = _open(_settings(args))
    print(f"database {db.safe_url}: at revision {current_revision(db)} (newest)")
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password (at least 10 characters): ")
    if getpass.getpass("again: ") != first:
        _err("the two passwords differ; nothing was written")
        return None
    return first


def cmd_create_admin(args: argparse.Namespace) -> int:
    from hub.fleet.accounts import AccountError, create_user
    from hub.fleet.roles import parse_roles

    try:
        roles = parse_roles(args.role or ["admin"])
    except ValueError as e:
        _err(str(e))
        return EXIT_USAGE
    settings = _settings(args)
    db = _open(settings)
    password = _read_password(args)
    if password is None:
        return EXIT_USAGE
    try:
        with db.transaction() as s:
            create_user(s, args.username, password, roles, settings.now(), language=args.language)
    except AccountError as e:
        _err(f"{args.username}: {e}; nothing was written")
        return EXIT_USAGE
    print(f"user {args.username.strip().lower()} created with role(s) {', '.join(sorted(roles))}")
    return EXIT_OK


def cmd_enrol_code(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from hub.fleet.devices import make_enrol_code

    if not 0 < args.valid_hours <= 24 * 30:
        _err(f"--valid-hours {args.valid_hours:g}: give 0 < hours <= 720")
        return EXIT_USAGE
    settings = _settings(args)
    db = _open(settings)
    try:
        with db.transaction() as s:
            code = make_enrol_code(s, "cli:" + getpass.getuser(), settings.now(), device_id=args.device,
                                   place=args.place, valid=timedelta(hours=args.valid_hours))
    except ValueError as e:
        _err(f"--device: {e}")
        return EXIT_USAGE
    print(code)
    print(f"valid {args.valid_hours:g} h, once: on the device, kiosk provision --api HUB-URL --enrol {code}"
          + ("" if args.device else " --device-id DEVICE-ID"), file=sys.stderr)
    return EXIT_OK


def cmd_metrics_token(args: argparse.Namespace) -> int:
    from hub.web import read_or_create_secret

    settings = _settings(args)
    path = settings.metrics_token_file
    if args.rotate:
        path.unlink(missing_ok=True)
    read_or_create_secret(path)
    print(path)
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from hub.editor import audit

    try:
        tz = ZoneInfo(args.timezone)
    except (ValueError, KeyError):
        _err(f"--timezone {args.timezone}: unknown time zone")
        return EXIT_USAGE
    start, end = args.start, args.end
    if args.election:
        if args.content is None:
            _err("--election needs --content DIR (the elections are in its site.toml)")
            return EXIT_USAGE
        from hub.editor.folder import ContentFolder, FolderError
        from hub.editor.neutrality import rules_of

        try:
            rules = rules_of(ContentFolder(args.content).load("site.toml")[0])
        except FolderError as e:
            _err(str(e))
            return EXIT_USAGE
        election = rules.election(args.election)
        if election is None:
            known = ", ".join(e.name for e in rules.elections) or "none"
            _err(f"--election {args.election!r}: not in {args.content}/site.toml (elections: {known})")
            return EXIT_USAGE
        start, end = election.reserve_start, election.reserve_end
    if start and end and end < start:
        _err(f"--to {end} is before --from {start}")
        return EXIT_USAGE
    db = _open(_settings(args))
    with db.session() as s:
        changes, publications = audit.trail(s, start, end, tz)
        text = (audit.to_csv(audit.rows(changes, publications, tz, args.lang), args.lang) if args.format == "csv"
                else audit.to_json(changes, publications, tz))
    if args.out is None:
        sys.stdout.write(text.lstrip("\ufeff"))
    else:
        args.out.write_text(text, encoding="utf-8", newline="")
        print(f"{args.out}: {len(changes)} change(s), {len(publications)} publication(s)"
              f" from {start or 'the start'} to {end or 'now'}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from hub.db.models import User
    from hub.server import DevServer, ServeOptions, run_gunicorn
    from hub.web import read_or_create_secret

    if args.offline_polls < 1:
        _err("--offline-polls: give 1 or more")
        return EXIT_USAGE
    settings = _settings(args, content_dir=args.content, secure_cookies=not args.insecure_cookies,
                         offline_polls=args.offline_polls, timezone=args.timezone,
                         fleet_refresh_s=max(1, args.page_refresh))
    db = _open(settings)
    if args.content is not None and not _publish(args.content, settings):
        return EXIT_USAGE
    read_or_create_secret(settings.secret_key_file)
    read_or_create_secret(settings.metrics_token_file)
    with db.session() as s:
        if not s.scalar(select(func.count()).select_from(User)):
            print("kiosk: warning: no staff account yet: kiosk hub create-admin NAME", file=sys.stderr)
    db.dispose()  # the workers open their own
    if args.insecure_cookies and args.host not in ("127.0.0.1", "localhost", "::1"):
        print("kiosk: warning: --insecure-cookies on a public address: sign-ins travel in clear", file=sys.stderr)
    scheme = "http"
    print(f"hub: {scheme}://{args.host}:{args.port}/ (fleet page), devices: {scheme}://{args.host}:{args.port}/v1/, "
          f"data {settings.data_dir}", flush=True)
    if args.dev:
        server = DevServer(settings, args.host, args.port)
        print(f"serving at {server.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
        return EXIT_OK
    logging.getLogger("gunicorn").setLevel(logging.INFO)
    run_gunicorn(settings, ServeOptions(args.host, args.port, args.workers, args.threads,
                                        access_log=args.access_log))
    return EXIT_OK


def _publish(content: Path, settings: HubSettings) -> bool:
    """Publish the content folder; a bad folder keeps the last published tree (False if none)."""
    from hub.publisher import PublishError, publish

    try:
        publish(content, settings.published_dir)
    except PublishError as e:
        for line in e.problems:
            print(f"kiosk: error: {line}", file=sys.stderr)
        if (settings.published_dir / "v1" / "manifest.json").is_file():
            print("kiosk: the last published version stays served", file=sys.stderr)
            return True
        return False
    return True  # the publisher's own log line says what it published

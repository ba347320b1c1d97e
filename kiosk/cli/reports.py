"""`kiosk report plays|neutrality`: play reports from the device's play log.

Errors are one line (``kiosk: error: …``) with the exit codes of kiosk/cli/exit_codes.py.
"""
from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk.cli._common import Commands, Subcommands, add_config_option, add_data_option, aware_datetime, data_dir, fail
from kiosk.cli.exit_codes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from content_cache import LiveContent, PlayLog

REPORT_EPILOG = """Reports read the play log this device keeps (DATA/plays.sqlite, kept
reports.retention_days, 400 by default). Times are the site's local time. CSV is UTF-8;
with --lang fr (the default) the columns are in French and separated by ";".

  kiosk report plays --from 2026-01-01 --to 2026-01-31 --format csv > plays.csv
  kiosk report neutrality --election "Municipales 2026" --format csv --out rapport/

exit codes: 0 written, 2 bad arguments, unknown election or no play log."""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def register(sub: Subcommands) -> Commands:
    fmt = argparse.RawDescriptionHelpFormatter
    r = sub.add_parser("report", help="play reports (per item; election-period neutrality)",
                       epilog=REPORT_EPILOG, formatter_class=fmt)
    kinds = r.add_subparsers(dest="report", required=True, metavar="REPORT")
    for name, help_text in (("plays", "per item: times shown, first and last shown, total duration, tags"),
                            ("neutrality", "one election: what was withheld and why, what was shown, weekly counts")):
        s = kinds.add_parser(name, help=help_text, epilog=REPORT_EPILOG, formatter_class=fmt)
        add_data_option(s)
        add_config_option(s)
        s.add_argument("--format", choices=("csv", "json"), default="csv")
        s.add_argument("--lang", choices=("fr", "en"), default="fr", help="column names and labels")
        s.add_argument("--now", type=aware_datetime, default=None, help="report as at this instant (default: now)")
        if name == "plays":
            s.add_argument("--from", dest="start", type=_day, default=None, help="first day (default: the oldest play)")
            s.add_argument("--to", dest="end", type=_day, default=None, help="last day, included (default: today)")
            s.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
        else:
            s.add_argument("--election", required=True, help="the election's name (or its slug)")
            s.add_argument("--weeks-before", type=int, default=None,
                           help="weeks before the period in the weekly counts (default: all kept)")
            s.add_argument("--out", type=Path, default=None,
                           help="csv: folder for the three tables; json: file (default: standard output)")
    return {"report": cmd_report}


def _fail(message: str) -> int:
    return fail(message, EXIT_USAGE)


def cmd_report(args: argparse.Namespace) -> int:
    from content_cache import PLAY_LOG_FILE, PlayLog
    from kiosk.config import ConfigError, load_device_config

    try:
        cfg = load_device_config(args.config)
    except ConfigError as e:
        return _fail(e.lines()[0])
    data = data_dir(args.data, cfg)
    path = data / PLAY_LOG_FILE
    if not path.is_file():
        return _fail(f"{path}: no play log (the player writes it while it shows content)")
    live = _live_content(data)
    tz = ZoneInfo(live.timezone if live else cfg.device.timezone)
    now = (args.now or datetime.now(UTC)).astimezone(tz)
    log = PlayLog(path)
    try:
        if args.report == "plays":
            return _plays(args, log, tz)
        return _neutrality(args, log, tz, now, live, cfg.neutrality)
    finally:
        log.close()


def _live_content(data: Path) -> LiveContent | None:
    from content_cache import ContentCache

    db = data / "cache" / "cache.sqlite"
    if not db.is_file():
        return None
    with ContentCache(data / "cache") as cache:
        return cache.read_live()


def _plays(args: argparse.Namespace, log: PlayLog, tz: ZoneInfo) -> int:
    from kiosk.device.reports import plays_csv, plays_json, plays_report

    if args.start and args.end and args.end < args.start:
        return _fail(f"--to {args.end} is before --from {args.start}")
    items = plays_report(log, tz, args.start, args.end)
    text = plays_csv(items, args.lang) if args.format == "csv" else plays_json(items, tz, args.start, args.end)
    _emit(text, args.out)
    if args.out:
        print(f"{args.out}: {len(items)} item(s)", file=sys.stderr)
    return EXIT_OK


def _neutrality(args: argparse.Namespace, log: PlayLog, tz: ZoneInfo, now: datetime,
                live: LiveContent | None, local: dict[str, Any] | None) -> int:
    from kiosk.device.reports import neutrality_json, neutrality_report, write_neutrality_csv
    from player.neutrality import Election, rules_for

    elections: list[Election] = list(rules_for(live, local).elections) if live is not None else []
    known = {e.name for e in elections}
    elections += [Election(e.name, e.first_round, e.last_round)
                  for e in log.elections() if e.name not in known]
    election = next((e for e in elections if e.matches(args.election)), None)
    if election is None:
        names = ", ".join(repr(e.name) for e in elections) or "none"
        return _fail(f"--election: no election named {args.election!r} (known: {names})")
    if args.weeks_before is not None and args.weeks_before < 0:
        return _fail("--weeks-before: must be 0 or more")
    report = neutrality_report(log, election, tz, now, args.weeks_before)
    if args.format == "json":
        _emit(neutrality_json(report), args.out)
        return EXIT_OK
    if args.out is None:
        return _fail("--format csv writes three tables: give --out FOLDER (or use --format json)")
    for path in write_neutrality_csv(report, args.out, args.lang):
        print(path)
    return EXIT_OK


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8", newline="")

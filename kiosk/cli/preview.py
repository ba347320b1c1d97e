"""`kiosk preview`: what the screens show at an instant, before it is published.

Run by the hub's editor in a subprocess (hub/editor/preview.py) and by hand. The content
folder is read with the hub's publisher (:mod:`kiosk.cli.preview_content`); the drawing is
the player's, offscreen (:mod:`kiosk.app.preview`), and the kiosk pages the touch UI's
through its test harness (:mod:`kiosk.touch.testing.pages`). Writes FILE.png and FILE.json
beside it (and FILE.html for a week); errors are one line each.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from content_cache import DEFAULT_TIMEZONE
from kiosk.cli._common import Commands, Subcommands, error, fail, in_zone, local_datetime, screen_size
from kiosk.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from kiosk.config import TickerPlace

if TYPE_CHECKING:
    from content_cache import LiveContent
    from hub.fleet.screens import DeviceScreen

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1920, 1080)
HUB_URL_ENV = "KIOSK_HUB_DATABASE_URL"

PREVIEW_EPILOG = """what:
  loop   every slide that plays at that instant, drawn by the player's renderer, as a
         contact sheet (a full-screen alert replaces the loop; banner alerts show on top)
  kiosk  the touch kiosk's home and, for each category, its list and one detail page
  week   what plays when on each playlist, Monday to Sunday of that week (also FILE.html)

FILE.json beside FILE.png says what the sheet shows and why (the schedule's answer).
--device NAME takes that screen's playlist, size and orientation from the hub's database
(--hub-data DIR or $KIOSK_HUB_DATABASE_URL; the hub extra installed); what the device
reported wins over --size and --orientation.

exit codes: 0 written, 2 bad usage, 4 the content folder has problems (one line each)."""


class UsageError(Exception):
    """A bad option: one line, exit 2."""


def register(sub: Subcommands) -> Commands:
    s = sub.add_parser("preview", help="draw what the screens show at an instant (before publishing)",
                       epilog=PREVIEW_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--content", type=Path, required=True, metavar="DIR",
                   help="the content folder (as kiosk publish reads it)")
    s.add_argument("--at", type=local_datetime, required=True, metavar="DATE-TIME",
                   help="the instant (e.g. 2027-10-05T09:00; without an offset, the site's time)")
    which = s.add_mutually_exclusive_group()
    which.add_argument("--playlist", default=None, metavar="ID", help="the playlist (default: the site's)")
    which.add_argument("--device", default=None, metavar="NAME",
                       help="a device of the hub: its playlist, size and orientation")
    s.add_argument("--size", type=screen_size, default=None, metavar="WxH",
                   help=f"the screen's size (default: {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})")
    s.add_argument("--orientation", choices=("landscape", "portrait"), default=None,
                   help="portrait turns the size upright (default: as --size is)")
    s.add_argument("--lang", default=None, metavar="LL", help="the display language (default: the site's first)")
    s.add_argument("--ticker", choices=("top", "bottom"), default=None,
                   help="draw the ticker strip of bulletin titles there, as a screen with display.ticker "
                        "does (default: none; with --device, the device's)")
    s.add_argument("--what", choices=("loop", "kiosk", "week"), default="loop")
    s.add_argument("--out", type=Path, required=True, metavar="FILE.png", help="the picture to write")
    s.add_argument("--state", type=Path, default=None, metavar="DIR",
                   help="the content sources' state folder (default: DIR.sources-state beside the folder)")
    s.add_argument("--hub-data", type=Path, default=None, metavar="DIR",
                   help="the hub's data folder, for --device (or $KIOSK_HUB_DATABASE_URL)")
    _one_line_errors(s)
    return {"preview": cmd_preview}


def _one_line_errors(parser: argparse.ArgumentParser) -> None:
    """argparse's usage errors as the command's one line (the editor shows stderr as is)."""
    def one_line(message: str) -> NoReturn:
        error(f"preview: {message} (see kiosk preview --help)")
        sys.exit(EXIT_USAGE)

    parser.error = one_line  # type: ignore[method-assign]  # argparse has no hook for its error line


@dataclass(frozen=True)
class Screen:
    playlist: str | None
    size: tuple[int, int]  # as laid out (portrait: taller than wide)
    asked_by: str = "--playlist"  # who named the playlist, for its error line
    ticker: TickerPlace | None = None  # where the ticker strip is drawn, if any


def cmd_preview(args: argparse.Namespace) -> int:
    if not args.verbose:
        # stderr carries the error lines only (the editor shows them); the engine's notes
        # on the instants a walk passes through (a reserve period starting) are not news.
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("player.engine").setLevel(logging.ERROR)
    out: Path = args.out
    if out.suffix.lower() != ".png":
        return fail(f"--out {out}: the picture is a .png file", EXIT_USAGE)
    if not out.parent.is_dir():
        return fail(f"--out {out}: no folder {out.parent}", EXIT_USAGE)
    if not args.content.is_dir():
        return fail(f"--content {args.content}: not a folder", EXIT_USAGE)
    from kiosk.cli.preview_content import InvalidContent, load_folder

    with tempfile.TemporaryDirectory(prefix="kiosk-preview-") as tmp:
        work = Path(tmp)
        try:
            screen = _screen(args)
            # The engine trusts a clock from a day before the content's publication: the
            # preview's version is published the day before the week it shows begins.
            first = in_zone(args.at, DEFAULT_TIMEZONE)
            assert first is not None
            started = time.monotonic()
            folder = load_folder(args.content, first - timedelta(days=first.weekday() + 1), work, args.state)
            content = folder.content
            log.info("preview: content folder read in %.2f s", time.monotonic() - started)
            at = in_zone(args.at, content.timezone)
            assert at is not None
            lang = _language(args.lang, content, kiosk=args.what == "kiosk")
            playlist = _playlist(screen, content)
            facts: dict[str, Any]
            if args.what == "loop":
                facts = _loop(content, at, playlist, lang, screen.size, work, out, screen.ticker)
            elif args.what == "kiosk":
                facts = _kiosk(content, at, lang, screen.size, work, out)
            else:
                facts = _week(content, at, lang, out)
        except UsageError as e:
            return fail(str(e), EXIT_USAGE)
        except InvalidContent as e:
            for line in e.lines:
                error(line)
            return EXIT_INVALID
    facts["warnings"] = list(folder.warnings)
    _write_json(out.with_suffix(".json"), facts)
    print(out)
    return EXIT_OK


# -- what is asked ---------------------------------------------------------------------------
def _screen(args: argparse.Namespace) -> Screen:
    size, orientation, playlist, ticker = args.size, args.orientation, args.playlist, args.ticker
    asked_by = "--playlist"
    if args.device:
        reported = _device(args.device, args.hub_data)
        playlist, asked_by = reported.playlist, f"--device {args.device} plays"
        size = reported.size or size
        orientation = reported.orientation or orientation
        ticker = ticker or reported.ticker
    w, h = size or DEFAULT_SIZE
    if orientation == "portrait" and w > h or orientation == "landscape" and h > w:
        w, h = h, w
    return Screen(playlist, (w, h), asked_by, ticker)


def _device(name: str, hub_data: Path | None) -> DeviceScreen:
    """What the hub knows of device ``name``'s screen (its database: $KIOSK_HUB_DATABASE_URL,
    else the SQLite file of ``--hub-data``, as ``kiosk hub`` chooses)."""
    url = os.environ.get(HUB_URL_ENV) or None
    if hub_data is None and url is None:
        raise UsageError(f"--device {name}: the hub's database is not reachable here "
                         f"(give --hub-data DIR or set {HUB_URL_ENV}, or use --playlist)")
    from hub.cli import missing_dependencies

    missing = missing_dependencies()
    if missing:
        raise UsageError(f"--device {name}: needs the hub extra: pip install 'town-kiosk[hub]' "
                         f"(missing: {', '.join(missing)})")
    from sqlalchemy.exc import SQLAlchemyError

    from hub.db import DB_NAME, Database, DatabaseError, sqlite_url
    from hub.fleet.screens import device_screen

    if url is None:
        assert hub_data is not None
        if not (hub_data / DB_NAME).is_file():
            raise UsageError(f"--hub-data {hub_data}: no hub database there")
        url = sqlite_url(hub_data)
    try:
        db = Database(url)
        try:
            with db.session() as s:
                screen = device_screen(s, name)
        finally:
            db.dispose()
    except DatabaseError as e:
        raise UsageError(f"--device {name}: {e}") from None
    except SQLAlchemyError as e:
        first = str(getattr(e, "orig", e)).strip().splitlines()[0]
        raise UsageError(f"--device {name}: cannot read the hub's database: {first}") from None
    if screen is None:
        raise UsageError(f"--device {name}: the hub has no device of that name")
    return screen


def _language(lang: str | None, content: LiveContent, *, kiosk: bool) -> str:
    """The display language: the site's (the touch kiosk also offers its own languages,
    the content falling back to French where it is not translated)."""
    if lang is None:
        return content.languages[0] if content.languages else "fr"
    offered = list(content.languages)
    if kiosk:
        from kiosk.touch.options import TouchOptions

        offered += [x for x in TouchOptions().languages if x not in offered]
    if lang not in offered:
        raise UsageError(f"--lang {lang}: {'the kiosk offers' if kiosk else 'the site speaks'} {', '.join(offered)}")
    return str(lang)


def _playlist(screen: Screen, content: LiveContent) -> str:
    if screen.playlist is None:
        return content.default_playlist
    if screen.playlist not in content.playlists:
        known = ", ".join(sorted(content.playlists)) or "none"
        raise UsageError(f"{screen.asked_by} {screen.playlist}: no playlist has this id (playlists: {known})")
    return screen.playlist


# -- the three previews ----------------------------------------------------------------------
def _prepare_kivy(work: Path, size: tuple[int, int]) -> None:
    from kiosk.device.kivy_env import prepare_kivy

    prepare_kivy(work / "kivy", headless=True, fullscreen=False, size=size)


def _loop(content: LiveContent, at: datetime, playlist: str, lang: str, size: tuple[int, int],
          work: Path, out: Path, ticker: TickerPlace | None = None) -> dict[str, Any]:
    from kiosk.app.preview.loop_sheet import loop_sheet
    from kiosk.app.preview.plan import loop_plan, ticker_titles
    from kiosk.app.preview.sheet import save_png

    plan = loop_plan(content, at, playlist=playlist, lang=lang)
    started = time.monotonic()
    _prepare_kivy(work, size)
    from kiosk.app.preview.loop import render_loop  # Kivy is imported only now, configured

    drawn = render_loop(plan, content, work / "derived", ticker)
    log.info("preview: %d slide(s) drawn in %.2f s (Kivy's start and window included)", len(drawn), time.monotonic() - started)
    started = time.monotonic()
    sheet, boxes = loop_sheet(plan, drawn, content, size)
    save_png(sheet, out)
    log.info("preview: sheet composed and written in %.2f s", time.monotonic() - started)
    facts = plan.facts({d.slide.id: d.problem for d in drawn if d.problem})
    for item, box in zip(facts["items"], boxes, strict=True):
        item["box"] = list(box)
    facts["size"] = list(size)
    if ticker is not None:  # what its strip says at that instant, in its order
        facts["ticker"] = {"place": ticker, "titles": list(ticker_titles(content, plan))}
    return facts


def _kiosk(content: LiveContent, at: datetime, lang: str, size: tuple[int, int], work: Path,
           out: Path) -> dict[str, Any]:
    from content_cache import MediaStore
    from kiosk.app.preview.kiosk_sheet import kiosk_sheet
    from kiosk.app.preview.sheet import save_png

    _prepare_kivy(work, size)
    from kiosk.touch.testing.pages import draw_pages  # Kivy is imported only now, configured

    store = MediaStore(work / "cache" / "media")  # the folder's files, linked by load_folder
    pages = draw_pages(content, at, lang, work / "pages", store.path_for)
    sheet, facts = kiosk_sheet(pages, work / "pages", content, at, lang, size)
    save_png(sheet, out)
    return {"at": at.isoformat(timespec="minutes"), "lang": lang, "size": list(size), "pages": facts}


def _week(content: LiveContent, at: datetime, lang: str, out: Path) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from kiosk.app.preview.loop_sheet import when_text
    from kiosk.app.preview.sheet import save_png
    from kiosk.app.preview.week import week_of, week_start, week_view
    from kiosk.app.preview.week_html import week_html
    from kiosk.touch import timefmt
    from player.engine import ScheduleEngine
    from player.i18n import gettext_for

    _ = gettext_for(lang)
    tz = ZoneInfo(content.timezone)
    monday = week_start(at.astimezone(tz).date(), tz)
    weeks = week_of(ScheduleEngine(), content, monday, lang=lang)
    views = [week_view(w, content, lang) for w in weeks]
    heading = [f"{content.site_name.get(lang)} · "
               + _("Week of {date}").format(date=timefmt.full_date(monday.date(), lang)),
               when_text(at, tz, lang)]
    from kiosk.app.preview.week_png import week_png

    image, layout = week_png(views, heading, monday.date(), tz, lang, at)
    save_png(image, out)
    html = out.with_suffix(".html")
    tmp = html.with_name(f".{html.name}.part")
    tmp.write_text(week_html(views, heading, monday.date(), tz, lang, at), encoding="utf-8")
    tmp.replace(html)

    def local(t: datetime) -> str:
        return t.astimezone(tz).isoformat(timespec="minutes")

    default = weeks[0] if weeks else None
    return {
        "at": local(at), "lang": lang, "timezone": content.timezone,
        "week_start": local(monday), "week_end": local(_week_end(monday)),
        "playlists": {w.playlist: [{"item": s.what, "start": local(s.start), "end": local(s.end)} for s in w.items]
                      for w in weeks},
        "alerts": [{"alert": s.what, "mode": default.alert_modes.get(s.what, ""), "start": local(s.start),
                    "end": local(s.end)} for s in default.alerts] if default else [],
        "titles": {row.id: row.title for view in views for row in view.rows},
        "layout": layout.facts(),
    }


def _week_end(monday: datetime) -> datetime:
    from datetime import time

    return datetime.combine(monday.date() + timedelta(days=7), time(0, 0), tzinfo=monday.tzinfo)


def _write_json(path: Path, facts: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(json.dumps(facts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)

"""`kiosk preview` as the editor calls it (a real subprocess on a real content folder): the
loop at an instant (JSON and sheet), the week's calendar (JSON, PNG, and the HTML in
chromium), bad usage and invalid content as one line each with their exit codes, and a
device's screen read from a real hub database."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from ..helpers import COLOURS, write_png, write_source

PARIS = ZoneInfo("Europe/Paris")
SPORT = (200, 30, 200)  # the weekday poster's colour, nowhere else
SUNDAY = (30, 200, 200)  # the Sunday poster's
TUESDAY = "2026-12-01"  # a Tuesday; its week runs from Monday 30 November
SIZE = "640x360"
WEEKDAY_POSTER = """
[[items]]
id = "fete-sport"
type = "image"
file = "media/sport.png"
duration = 6
weekdays = ["mon", "tue", "wed", "thu", "fri"]
dayparts = [{ from = "08:00", to = "12:00" }]
[items.caption]
fr = "Fête du sport <b>samedi</b>"
"""
SUNDAY_AND_NIGHT = """
[[items]]
id = "marche-dimanche"
type = "image"
file = "media/sunday.png"
weekdays = ["sun"]
dayparts = [{ from = "08:00", to = "12:00" }]

[[items]]
id = "nuit"
type = "bulletin"
bulletin = "works"
dayparts = [{ from = "22:00", to = "06:00" }]
"""


def town(root: Path) -> Path:
    src = write_source(root, images=1)
    write_png(src / "media" / "sport.png", SPORT)
    write_png(src / "media" / "sunday.png", SUNDAY)
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text() + WEEKDAY_POSTER + SUNDAY_AND_NIGHT, encoding="utf-8")
    return src


def preview(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "KIOSK_HUB_DATABASE_URL")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "kiosk", "preview", *args], capture_output=True, text=True,
                          timeout=timeout, env=full)


def facts(out: Path) -> dict[str, Any]:
    return json.loads(out.with_suffix(".json").read_text("utf-8"))


def share_of(img: Image.Image, box: list[int], colour: tuple[int, ...], tol: int = 12) -> float:
    """Share of the box's pixels within ``tol`` of ``colour``."""
    x, y, w, h = box
    crop = img.crop((x, y, x + w, y + h)).convert("RGB")
    near = 0
    for n, c in crop.getcolors(w * h) or []:
        assert isinstance(c, tuple)
        if max(abs(a - b) for a, b in zip(c, colour, strict=True)) <= tol:
            near += n
    return near / (w * h)


@pytest.fixture(scope="module")
def src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return town(tmp_path_factory.mktemp("preview") / "src")


@pytest.fixture(scope="module")
def tuesday(src: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("tuesday")
    shots = {}
    for hour in ("09:00", "14:00"):
        png = out / f"tue-{hour[:2]}.png"
        r = preview("--content", str(src), "--at", f"{TUESDAY}T{hour}", "--size", SIZE, "--out", str(png))
        assert r.returncode == 0, r.stderr
        assert r.stderr == "", r.stderr  # stderr is for error lines only (the editor shows it)
        shots[hour] = png
    return shots


# -- the loop at an instant ----------------------------------------------------------------
def test_the_weekday_morning_poster_plays_on_tuesday_at_nine(tuesday: dict[str, Path]) -> None:
    info = facts(tuesday["09:00"])
    assert info["at"] == f"{TUESDAY}T09:00+01:00" and info["playlist"] == "lobby"
    ids = [i["id"] for i in info["items"]]
    assert ids == ["img-0", "news", "fete-sport"]  # the loop's order; the Sunday and night items rest
    sport = next(i for i in info["items"] if i["id"] == "fete-sport")
    assert sport["kind"] == "image" and sport["title"] == "Fête du sport <b>samedi</b>"
    assert sport["until"] == f"{TUESDAY}T12:00+01:00"  # the day-part's end
    assert "on mon,tue,wed,thu,fri" in sport["reason"] and "day-part 08:00-12:00" in sport["reason"]
    assert sport["duration"] == 6 and sport["until_text"] == "Jusqu'au 1 décembre à 12:00"
    assert info["alerts"] == []
    with Image.open(tuesday["09:00"]) as sheet:
        assert share_of(sheet, sport["box"], SPORT) > 0.3  # the poster is drawn in its tile
        for other in info["items"]:
            if other["id"] != "fete-sport":
                assert share_of(sheet, other["box"], SPORT) == 0
        img0 = next(i for i in info["items"] if i["id"] == "img-0")
        assert share_of(sheet, img0["box"], COLOURS[0]) > 0.3


def test_the_weekday_morning_poster_is_not_in_tuesdays_afternoon(tuesday: dict[str, Path]) -> None:
    info = facts(tuesday["14:00"])
    assert [i["id"] for i in info["items"]] == ["img-0", "news"]
    with Image.open(tuesday["14:00"]) as sheet:
        assert share_of(sheet, [0, 0, *sheet.size], SPORT) == 0


def test_the_sheet_has_one_tile_per_slide_at_the_screens_shape(tuesday: dict[str, Path]) -> None:
    info = facts(tuesday["09:00"])
    boxes = [i["box"] for i in info["items"]]
    assert all(w * 9 == h * 16 for _x, _y, w, h in boxes)  # 640x360, scaled
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a[0] + a[2] <= b[0] or a[1] + a[3] <= b[1]  # side by side or below, never overlapping


def test_a_fullscreen_alert_replaces_the_loop_and_a_banner_goes_over_it(tmp_path: Path) -> None:
    src = town(tmp_path / "src")
    (src / "bulletins" / "alerts.toml").write_text(
        '[[bulletins]]\nid = "crue"\ncategory = "alert"\nseverity = "critical"\nalert = "fullscreen"\n'
        f'valid_from = {TUESDAY}T08:30:00\nvalid_until = {TUESDAY}T10:00:00\n'
        '[bulletins.title]\nfr = "Crue de la Bruyère"\n\n'
        '[[bulletins]]\nid = "vent"\ncategory = "alert"\nseverity = "warning"\nalert = "banner"\n'
        f'valid_until = {TUESDAY}T18:00:00\n[bulletins.title]\nfr = "Vent fort"\n', encoding="utf-8")
    out = tmp_path / "alert.png"
    r = preview("--content", str(src), "--at", f"{TUESDAY}T09:00", "--size", SIZE, "--out", str(out))
    assert r.returncode == 0, r.stderr
    info = facts(out)
    assert [(i["id"], i["kind"]) for i in info["items"]] == [("alert-crue", "alert")]
    assert info["items"][0]["until"] == f"{TUESDAY}T10:00+01:00"
    assert [(a["id"], a["mode"], a["severity"]) for a in info["alerts"]] == [
        ("crue", "fullscreen", "critical"), ("vent", "banner", "warning")]
    with Image.open(out) as sheet:
        assert share_of(sheet, [0, 0, *sheet.size], SPORT) == 0  # the loop is not drawn
    out = tmp_path / "later.png"
    r = preview("--content", str(src), "--at", f"{TUESDAY}T11:00", "--size", SIZE, "--out", str(out))
    assert r.returncode == 0, r.stderr
    info = facts(out)
    assert [i["id"] for i in info["items"]] == ["img-0", "news", "fete-sport"]
    assert [a["id"] for a in info["alerts"]] == ["vent"]
    from player.severity import DARK

    amber = tuple(round(c * 255) for c in DARK.warning.fill[:3])
    with Image.open(out) as sheet:
        for item in info["items"]:
            x, y, w, h = item["box"]
            banner = [x, y + 2, w, round(h * 0.1)]  # the banner's strip at the top of each screen
            assert share_of(sheet, banner, amber, tol=6) > 0.5, item["id"]


# -- the week ------------------------------------------------------------------------------
def week(src: Path, at: str, out: Path) -> dict[str, Any]:
    r = preview("--content", str(src), "--at", at, "--what", "week", "--out", str(out))
    assert r.returncode == 0, r.stderr
    return facts(out)


def spans(info: dict[str, Any], item: str) -> list[tuple[str, str]]:
    return [(s["start"], s["end"]) for s in info["playlists"]["lobby"] if s["item"] == item]


def test_the_week_shows_the_poster_monday_to_friday_from_eight_to_noon(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "week.png"
    info = week(src, f"{TUESDAY}T09:00", out)
    assert info["week_start"] == "2026-11-30T00:00+01:00" and info["week_end"] == "2026-12-07T00:00+01:00"
    assert spans(info, "fete-sport") == [(f"2026-{d}T08:00+01:00", f"2026-{d}T12:00+01:00")
                                         for d in ("11-30", "12-01", "12-02", "12-03", "12-04")]
    assert spans(info, "img-0") == [("2026-11-30T00:00+01:00", "2026-12-07T00:00+01:00")]
    assert info["titles"]["fete-sport"] == "Fête du sport <b>samedi</b>"
    layout = info["layout"]
    row = layout["rows"]["lobby"]["fete-sport"]

    def x(day: int, hour: float) -> int:
        return round(layout["grid_x"] + (day + hour / 24) * layout["day_width"])

    with Image.open(out) as file:
        img = file.convert("RGB")
        from kiosk.app.preview.week_png import KIND_COLOURS

        poster = KIND_COLOURS["image"]
        for day in range(5):
            assert img.getpixel((x(day, 10), row)) == poster, day
            assert img.getpixel((x(day, 7.5), row)) != poster
            assert img.getpixel((x(day, 12.5), row)) != poster
        for day in (5, 6):  # the weekend
            assert img.getpixel((x(day, 10), row)) != poster


@pytest.mark.parametrize(("at", "sunday", "before", "after", "saturday"), [
    ("2026-03-26T09:00", "2026-03-29", "+01:00", "+02:00", "2026-03-28"),  # spring forward
    ("2026-10-22T09:00", "2026-10-25", "+02:00", "+01:00", "2026-10-24"),  # fall back
])
def test_the_week_of_a_clock_change_keeps_local_hours(src: Path, tmp_path: Path, at: str, sunday: str,
                                                      before: str, after: str, saturday: str) -> None:
    out = tmp_path / "week.png"
    info = week(src, at, out)
    # The Sunday of the change: the morning poster from 08:00 to noon by the new clock.
    assert spans(info, "marche-dimanche") == [(f"{sunday}T08:00{after}", f"{sunday}T12:00{after}")]
    # The night across the change: 22:00 by the old clock to 06:00 by the new one.
    assert (f"{saturday}T22:00{before}", f"{sunday}T06:00{after}") in spans(info, "nuit")
    monday_after = info["week_end"]
    assert monday_after.endswith(after)
    layout = info["layout"]
    row = layout["rows"]["lobby"]["marche-dimanche"]
    with Image.open(out) as file:
        img = file.convert("RGB")
        from kiosk.app.preview.week_png import KIND_COLOURS

        def x(hour: float) -> int:
            return round(layout["grid_x"] + (6 + hour / 24) * layout["day_width"])

        assert img.getpixel((x(8.5), row)) == KIND_COLOURS["image"]
        assert img.getpixel((x(11.5), row)) == KIND_COLOURS["image"]
        assert img.getpixel((x(7.5), row)) != KIND_COLOURS["image"]
        assert img.getpixel((x(12.5), row)) != KIND_COLOURS["image"]


def test_the_weeks_web_page_shows_the_bars_and_titles_as_text(src: Path, tmp_path: Path) -> None:
    from ..hub import browser

    why = browser.missing()
    if why:
        pytest.skip(why)
    out = tmp_path / "week.png"
    week(src, f"{TUESDAY}T09:00", out)
    html = out.with_suffix(".html").read_text("utf-8")
    assert "<b>samedi</b>" not in html and "&lt;b&gt;samedi&lt;/b&gt;" in html
    assert "http" not in html.replace("http-equiv", "")  # nothing fetched: one file
    with browser.browser_page(1500, 900) as page:
        page.goto(out.with_suffix(".html").as_uri())
        bars = page.locator('#playlist-lobby .lane[data-id="fete-sport"] .bar')
        assert bars.count() == 5
        lane = page.locator('#playlist-lobby .lane[data-id="fete-sport"]').bounding_box()
        first = bars.nth(0).bounding_box()
        assert lane is not None and first is not None
        # Monday 08:00-12:00: a sixth of a day, starting a third of the way into Monday's column
        day = lane["width"] / 7
        assert abs(first["x"] - (lane["x"] + day / 3)) < 2 and abs(first["width"] - day / 6) < 2
        assert page.locator('#playlist-lobby .name', has_text="Fête du sport <b>samedi</b>").count() == 1
        shots = os.environ.get("KIOSK_PREVIEW_SCREENS")
        if shots:  # for a look at it (docs, review)
            page.screenshot(path=str(Path(shots) / "preview-week-html.png"), full_page=True)


# -- bad usage and invalid content ----------------------------------------------------------
@pytest.mark.parametrize(("args", "says"), [
    (["--at", "2026-12-01T09:00"], "the following arguments are required: --content"),
    (["--content", "{src}", "--at", "mardi", "--out", "{out}"], "expected an ISO date-time"),
    (["--content", "{src}", "--at", "2026-12-01T09:00", "--out", "{out}", "--what", "month"], "invalid choice"),
    (["--content", "{src}", "--at", "2026-12-01T09:00", "--out", "{out}", "--size", "big"], "expected WIDTHxHEIGHT"),
    (["--content", "{src}", "--at", "2026-12-01T09:00", "--out", "{tmp}/sheet.jpg"], "the picture is a .png file"),
    (["--content", "{tmp}/nowhere", "--at", "2026-12-01T09:00", "--out", "{out}"], "not a folder"),
    (["--content", "{src}", "--at", "2026-12-01T09:00", "--out", "{out}", "--playlist", "hal"],
     "--playlist hal: no playlist has this id (playlists: lobby)"),
    (["--content", "{src}", "--at", "2026-12-01T09:00", "--out", "{out}", "--lang", "it"],
     "--lang it: the site speaks fr, en"),
    (["--content", "{src}", "--at", "2026-12-01T09:00", "--out", "{out}", "--playlist", "lobby", "--device", "x"],
     "not allowed with argument"),
    (["--content", "{src}", "--at", "2026-12-01T09:00", "--out", "{out}", "--device", "totem-1"],
     "the hub's database is not reachable here"),
])
def test_bad_usage_is_one_line_and_exit_2(src: Path, tmp_path: Path, args: list[str], says: str) -> None:
    given = [a.format(src=src, out=tmp_path / "p.png", tmp=tmp_path) for a in args]
    r = preview(*given)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: error: ") and says in lines[0], r.stderr
    assert not (tmp_path / "p.png").exists()


def test_invalid_content_says_each_problem_in_the_publishers_words_and_exits_4(tmp_path: Path) -> None:
    src = town(tmp_path / "src")
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace('from = "08:00", to = "12:00"', 'from = "8h", to = "12:00"', 1)
                     .replace('file = "media/sunday.png"', 'file = "media/dimanche.png"'), encoding="utf-8")
    out = tmp_path / "p.png"
    r = preview("--content", str(src), "--at", "2026-12-01T09:00", "--out", str(out))
    assert r.returncode == 4, r.stderr
    lines = [line.removeprefix("kiosk: error: ") for line in r.stderr.splitlines()]
    assert all(line.startswith("kiosk: error: ") for line in r.stderr.splitlines())
    assert len(lines) == 2, lines
    published = subprocess.run([sys.executable, "-m", "kiosk", "publish", str(src), str(tmp_path / "tree")],
                               capture_output=True, text=True, timeout=60)
    assert published.returncode == 4
    said = {line.removeprefix("kiosk: error: ") for line in published.stderr.splitlines() if "error" in line}
    assert set(lines) == said  # the publisher's own lines, each once
    assert any('item "fete-sport"' in line and "dayparts" in line for line in lines)
    assert any("dimanche.png" in line for line in lines)
    assert not out.exists() and not out.with_suffix(".json").exists()


# -- a device of the hub ---------------------------------------------------------------------
def test_a_device_gives_its_playlist_size_and_orientation_from_the_hubs_database(src: Path, tmp_path: Path) -> None:
    from hub.db import Database, migrate, sqlite_url
    from hub.db.models import Device

    hall = src.parent / "src-hall"
    if not hall.exists():
        import shutil

        shutil.copytree(src, hall)
        (hall / "playlists" / "hall.toml").write_text(
            'id = "hall"\n[name]\nfr = "Accueil"\n\n[[items]]\nid = "hall-sport"\ntype = "image"\n'
            'file = "media/sport.png"\n', encoding="utf-8")
    hub = tmp_path / "hub"
    hub.mkdir()
    db = Database(sqlite_url(hub))
    migrate(db)
    with db.transaction() as s:
        s.add(Device(id="totem-gare", place="Gare", created_at=datetime.now(UTC), orientation=90,
                     why="playlist hall: priority 0; always",
                     details={"player": {"screen": [640, 360], "why": "playlist hall: priority 0; always",
                                         "ticker": "top"}}))
    db.dispose()
    out = tmp_path / "totem.png"
    r = preview("--content", str(hall), "--at", f"{TUESDAY}T09:00", "--device", "totem-gare",
                "--hub-data", str(hub), "--size", "1280x720", "--orientation", "landscape", "--out", str(out))
    assert r.returncode == 0, r.stderr
    info = facts(out)
    assert info["playlist"] == "hall" and [i["id"] for i in info["items"]] == ["hall-sport"]
    assert info["size"] == [360, 640]  # the panel turned a quarter: a portrait picture
    assert info["ticker"]["place"] == "top"  # its display.ticker, as it reports it
    with Image.open(out) as sheet:
        x, y, w, h = info["items"][0]["box"]
        assert h > w
        assert share_of(sheet, [x, y, w, h], SPORT) > 0.2
    r = preview("--content", str(hall), "--at", f"{TUESDAY}T09:00", "--device", "totem-mairie",
                "--hub-data", str(hub), "--out", str(out))
    assert r.returncode == 2 and r.stderr.strip() == \
        "kiosk: error: --device totem-mairie: the hub has no device of that name"
    r = preview("--content", str(hall), "--at", f"{TUESDAY}T09:00", "--device", "totem-gare",
                "--out", str(out), env={"KIOSK_HUB_DATABASE_URL": sqlite_url(hub)})
    assert r.returncode == 0, r.stderr
    assert facts(out)["playlist"] == "hall"


def test_a_file_the_player_cannot_decode_is_marked_not_shown_by_its_name(tmp_path: Path) -> None:
    src = town(tmp_path / "src")
    good = (src / "media" / "img0.png").read_bytes()
    (src / "media" / "abimee.png").write_bytes(good[: len(good) // 2])  # truncated: the header reads, no more
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text() + '\n[[items]]\nid = "abimee"\ntype = "image"\nfile = "media/abimee.png"\n',
                     encoding="utf-8")
    out = tmp_path / "p.png"
    r = preview("--content", str(src), "--at", f"{TUESDAY}T14:00", "--size", SIZE, "--out", str(out))
    assert r.returncode == 0, r.stderr
    info = facts(out)
    broken = next(i for i in info["items"] if i["id"] == "abimee")
    assert broken["skipped"].startswith("abimee.png: cannot be decoded"), broken
    assert all("skipped" not in i for i in info["items"] if i["id"] != "abimee")
    with Image.open(out) as sheet:
        x, y, w, h = broken["box"]
        from kiosk.app.preview.sheet import PROBLEM

        assert share_of(sheet, [x, y - 1, w, 2], PROBLEM, tol=4) > 0.9  # framed in the problem colour


def test_a_screen_with_a_ticker_is_drawn_with_its_strip_and_its_titles(src: Path, tmp_path: Path) -> None:
    from player.render.ticker_strip import TICKER_BACKGROUND

    strip = tuple(round(c * 255) for c in TICKER_BACKGROUND[:3])
    shares = {}
    for ticker in ("bottom", None):
        out = tmp_path / f"ticker-{ticker}.png"
        r = preview("--content", str(src), "--at", f"{TUESDAY}T09:00", "--size", SIZE, "--out", str(out),
                    *(("--ticker", ticker) if ticker else ()))
        assert r.returncode == 0, r.stderr
        info = facts(out)
        with Image.open(out) as sheet:
            x, y, w, h = info["items"][0]["box"]
            # The ticker's band: above the status bar (the bottom 7 % of the screen), 6 % high.
            shares[ticker] = share_of(sheet, [x, y + round(h * 0.88), w, round(h * 0.04)], strip, tol=6)
        if ticker:
            assert info["ticker"] == {"place": "bottom", "titles": ["Travaux rue Haute"]}, info.get("ticker")
        else:
            assert "ticker" not in info
    assert shares["bottom"] > 0.5 and shares[None] < 0.05, shares

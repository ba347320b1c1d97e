"""The preview's contact sheet is what the player shows: a synced device's headless player,
at the same instant, screenshots each slide; each tile of `kiosk preview`'s sheet matches
the player's own screenshot scaled to the tile (within a small tolerance: both are the
same renderers, drawn a few frames apart). The touch kiosk's sheet has one row of pages
per category the home shows."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageChops, ImageStat

from kiosk.cli.preview_content import load_folder
from kiosk.touch.catalogue import build_catalogue
from kiosk.touch.pages import PageBuilder

from ..helpers import write_source
from .device import run_kiosk, synced_device

PARIS = ZoneInfo("Europe/Paris")
W, H = 640, 360


def next_tuesday() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def _source(root: Path, tuesday: date) -> Path:
    src = write_source(root, images=2)
    site = src / "site.toml"
    site.write_text(site.read_text() + '\n[site.layout]\nside_zone = ["clock", "alerts"]\n', encoding="utf-8")
    (src / "bulletins" / "alerts.toml").write_text(
        '[[bulletins]]\nid = "vent"\ncategory = "alert"\nseverity = "warning"\nalert = "banner"\n'
        f'valid_until = {tuesday.isoformat()}T18:00:00\n[bulletins.title]\nfr = "Vent fort sur la vallée"\n',
        encoding="utf-8")
    return src


def test_each_tile_of_the_sheet_matches_the_players_own_screenshot(tmp_path: Path) -> None:
    tuesday = next_tuesday()
    at = f"{tuesday.isoformat()}T09:00"
    src = _source(tmp_path / "src", tuesday)
    out = tmp_path / "sheet.png"
    r = run_kiosk("preview", "--content", str(src), "--at", at, "--size", f"{W}x{H}", "--out", str(out))
    assert r.returncode == 0, r.stderr
    info = json.loads(out.with_suffix(".json").read_text("utf-8"))
    assert [i["id"] for i in info["items"]] == ["img-0", "img-1", "news"]
    assert [a["id"] for a in info["alerts"]] == ["vent"]

    data = synced_device(tmp_path, src)
    shots = tmp_path / "shots"
    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots), "--at", at,
                  "--size", f"{W}x{H}", "--max-slide-seconds", "2", "--duration", "7.5", timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    with Image.open(out) as sheet_file:
        sheet = sheet_file.convert("RGB")
    for item in info["items"]:
        found = sorted(shots.glob(f"*-{item['id']}.png"))
        assert found, f"the player showed no {item['id']} ({sorted(p.name for p in shots.iterdir())})"
        x, y, w, h = item["box"]
        tile = sheet.crop((x, y, x + w, y + h))
        with Image.open(found[0]) as shot:
            theirs = shot.convert("RGB").resize((w, h), Image.Resampling.LANCZOS)
        diff = ImageChops.difference(tile, theirs).convert("L")
        mean = ImageStat.Stat(diff).mean[0]
        off = sum(n for n, v in (diff.getcolors(w * h) or []) if isinstance(v, int) and v > 48) / (w * h)
        assert mean < 3.0 and off < 0.01, f"{item['id']}: mean difference {mean:.2f}, {off:.2%} of pixels off"


def test_the_kiosk_sheet_has_a_row_of_pages_for_each_category_of_the_home(tmp_path: Path) -> None:
    from hub.demo import DEMO_CONTENT

    at = "2026-11-24T09:00"
    out = tmp_path / "kiosk.png"
    r = run_kiosk("preview", "--content", str(DEMO_CONTENT), "--at", at, "--what", "kiosk", "--size", "1280x720",
                  "--out", str(out))
    assert r.returncode == 0, r.stderr
    info = json.loads(out.with_suffix(".json").read_text("utf-8"))
    when = datetime.fromisoformat(at).replace(tzinfo=PARIS)
    content = load_folder(DEMO_CONTENT, when - timedelta(days=2), tmp_path / "work").content
    expected = [t.category for t in PageBuilder(build_catalogue(content), "fr", when).home().tiles]
    assert len(expected) >= 6
    pages = info["pages"]
    assert [p["page"] for p in pages[:2]] == ["attract", "home"]
    lists = [p for p in pages if p["page"] == "list"]
    assert [p["category"] for p in lists] == expected  # one list page per category, in the home's order
    with Image.open(out) as sheet_file:
        sheet = sheet_file.convert("RGB")
    for page in lists:
        detail = next(p for p in pages if p["page"] == "detail" and p["category"] == page["category"])
        assert detail["box"][1] == page["box"][1]  # a category's pages side by side, on one row
        x, y, w, h = page["box"]
        colours = sheet.crop((x, y, x + w, y + h)).getcolors(w * h) or []
        assert len(colours) > 20, page  # a page drawn, not a blank
    assert pages[-1]["box"][1] + pages[-1]["box"][3] < sheet.height

"""Active alerts are visible on every screen of every mode (the admin overlay excepted):
banner alerts as a strip over the attract screen (kiosk mode), the home screen, lists and
pages; a full-screen alert full screen, until the visitor acknowledges it. Kiosk mode's
attract screen shows the town's next events, never only its name. Alerts are painted in
player.severity's colours (critical red, warning amber) on the strip, the tile and the
list rows, in both themes. Checked by pixels on the harness's screenshots."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from hub.demo import demo_source_dir
from kiosk.touch.admin import make_pin_hash
from kiosk.touch.testing.harness import HarnessResult, run_scenario
from player.severity import LIGHT

from ..helpers import rgb255
from .ui import target, texts, visible

pytestmark = pytest.mark.timeout(240)

SIZE = (1280, 720)
CRITICAL, WARNING = rgb255(LIGHT.critical.fill), rgb255(LIGHT.warning.fill)
# Thursday 26 November 2026, 10:30 in Valbruyère: the demo's storm warning (critical,
# alert = "banner") is in force until Friday 06:00.
NOW = "2026-11-26T09:30:00+00:00"

FULLSCREEN = """
[[bulletins]]
id = "evacuation"
category = "alert"
severity = "critical"
valid_from = 2026-11-26T10:40:00
valid_until = 2026-11-26T18:00:00
[bulletins.title]
fr = "Évacuation du quartier de la gare"
en = "Station district evacuation"
[bulletins.body]
fr = "Fuite de gaz : suivez les consignes des pompiers."
en = "Gas leak: follow the fire brigade's instructions."

[[bulletins]]
id = "water-cut"
category = "works"
severity = "warning"
alert = "banner"
valid_until = 2026-11-27T18:00:00
[bulletins.title]
fr = "Coupure d'eau rue Haute"
en = "Water cut on Rue Haute"
"""


def _content(tmp_path: Path, extra: str = "") -> Path:
    src = tmp_path / "content"
    shutil.copytree(demo_source_dir(), src)
    with (src / "bulletins" / "news.toml").open("a", encoding="utf-8") as f:
        f.write(extra)
    return src


def _pixel(r: HarnessResult, shot: str, x: float, y: float) -> tuple[int, int, int]:
    """The colour at (x, y), fractions of the window from the top-left."""
    with Image.open(r.out / f"{shot}.png") as img:
        rgb = img.convert("RGB")
        return rgb.getpixel((int(x * (rgb.width - 1)), int(y * (rgb.height - 1))))


def _strip(dump: dict) -> dict:
    return target(dump, "alert-strip")


def _run(steps: list, tmp_path: Path, **kw: object) -> HarnessResult:
    r = run_scenario(steps, tmp_path, size=SIZE, now=NOW, **kw)  # type: ignore[arg-type]
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
    return r


def test_kiosk_mode_shows_the_banner_alert_and_next_events_on_every_screen(tmp_path: Path) -> None:
    steps = [{"wait": 0.3}, {"dump": "attract"}, {"shot": "attract"},
             {"tap": {"x": 0.5, "y": 0.5}}, {"dump": "home"}, {"shot": "home"},
             {"tap": {"tid": "cat-services"}}, {"dump": "list"}, {"shot": "list"},
             {"tap": {"tid": "row-pool"}}, {"dump": "detail"}, {"shot": "detail"},
             {"press": {"x": 0.005, "y": 0.995}, "hold_s": 5.5},
             *({"tap": {"tid": f"pin-{d}"}} for d in "4821"), {"tap": {"tid": "pin-ok"}}, {"dump": "admin"}]
    r = _run(steps, tmp_path, mode="kiosk", pin_hash=make_pin_hash("4821"))
    attract = r.dump("attract")
    # Not only the town's name: the next events, under the alert strip.
    assert {"Ville de Valbruyère", "À venir", "Heure du conte", "Conseil municipal"} <= set(texts(attract))
    assert attract["status"]["attract"] == "idle board"
    for name in ("attract", "home", "list", "detail"):
        dump = r.dump(name)
        strip = _strip(dump)
        assert strip["rect"][3] == SIZE[1], f"{name}: the strip is not at the top"
        assert "Alerte météo : vents violents" in " ".join(texts(dump)), name
        assert _pixel(r, name, 0.5, 0.01) == CRITICAL, f"{name}: the strip is not in the critical red"
        assert dump["status"]["alerts"] == ["storm-warning"], name
    # The strip takes its own band: the screens start under it.
    header = next(w for w in visible(r.dump("home")) if w["cls"] == "Header")
    assert header["rect"][3] <= _strip(r.dump("home"))["rect"][1] + 1
    assert r.dump("detail")["status"]["description"].startswith("touch kiosk: services page pool, French")
    # The admin overlay is the one screen above the alerts.
    assert any(w["tid"] == "alert-strip" and w["covered"] for w in r.dump("admin")["widgets"])


def test_a_full_screen_alert_covers_kiosk_and_session_screens_until_acknowledged(tmp_path: Path) -> None:
    src = _content(tmp_path, FULLSCREEN)
    steps = [{"wait": 0.3},
             {"tap": {"x": 0.5, "y": 0.5}}, {"tap": {"tid": "cat-services"}}, {"dump": "before"},
             {"advance": 660},  # 10:41: the evacuation alert starts during the session
             {"wait": 0.2}, {"dump": "covered"}, {"shot": "covered"},
             {"tap": {"tid": "alert-continue"}}, {"dump": "acknowledged"}, {"shot": "acknowledged"},
             {"call": "reset_to_attract"}, {"wait": 0.2}, {"dump": "attract"}, {"shot": "attract"},
             {"tap": {"x": 0.5, "y": 0.5}}, {"dump": "next-visitor"}, {"shot": "next-visitor"}]
    r = _run(steps, tmp_path / "run", content=src, mode="kiosk", idle_s=900)
    before = r.dump("before")
    assert before["status"]["alerts"] == ["storm-warning", "water-cut"]
    covered = r.dump("covered")
    assert covered["status"]["overlay"] == "full-screen alert"
    assert "Évacuation du quartier de la gare" in texts(covered)
    assert not any(w["tid"].startswith("row-") for w in visible(covered) if w["target"])  # the list is under it
    for x, y in ((0.1, 0.2), (0.5, 0.5), (0.9, 0.6)):
        assert _pixel(r, "covered", x, y) == CRITICAL
    # Acknowledged: the list again, the evacuation first in the strip (most severe, newest).
    ack = r.dump("acknowledged")
    assert ack["screen"] == "list" and not ack["status"]["overlay"]
    assert ack["status"]["alerts"][0] == "evacuation"
    assert any(w.get("text", "").startswith("ALERTE · Évacuation du quartier de la gare") for w in visible(ack))
    assert _pixel(r, "acknowledged", 0.5, 0.01) == CRITICAL
    # The attract screen of a kiosk shows it full screen for as long as it lasts…
    attract = r.dump("attract")
    assert attract["status"]["attract"] == "full-screen alert"
    assert _pixel(r, "attract", 0.5, 0.45) == CRITICAL
    assert target(attract, "attract-lang-de")  # …and a visitor can still start, in any language
    # …and the next visitor, having seen it there, gets the kiosk with the alert in the strip.
    nxt = r.dump("next-visitor")
    assert nxt["screen"] == "home" and not nxt["status"]["overlay"]


def test_hybrid_session_screens_show_the_alerts_the_loop_showed(tmp_path: Path) -> None:
    steps = [{"wait": 0.3}, {"dump": "attract"},
             {"tap": {"x": 0.5, "y": 0.5}}, {"tap": {"tid": "cat-agenda"}}, {"tap": {"tid": "row-concert"}},
             {"dump": "detail"}, {"shot": "detail"}]
    r = _run(steps, tmp_path, mode="hybrid")
    attract = r.dump("attract")
    # On the attract screen the loop shows its own banner: no second strip over it.
    assert not any(w["tid"] == "alert-strip" for w in visible(attract))
    assert attract["status"]["attract"] == "signage loop"
    detail = r.dump("detail")
    assert _strip(detail) and detail["status"]["alerts"] == ["storm-warning"]
    assert _pixel(r, "detail", 0.5, 0.01) == CRITICAL


@pytest.mark.parametrize("contrast", [False, True], ids=["standard", "high-contrast"])
def test_alert_tile_strip_and_rows_are_painted_in_their_severity_colours(tmp_path: Path, contrast: bool) -> None:
    src = _content(tmp_path, FULLSCREEN)  # at 10:30 the evacuation is not in force yet
    steps: list = [{"wait": 0.3}, {"tap": {"x": 0.5, "y": 0.5}}]
    if contrast:
        steps.append({"tap": {"tid": "nav-contrast"}})
    steps += [{"dump": "home"}, {"shot": "home"}, {"tap": {"tid": "cat-alerts"}}, {"dump": "list"}, {"shot": "list"}]
    r = _run(steps, tmp_path / "run", content=src, mode="kiosk")
    home, lst = r.dump("home"), r.dump("list")
    tile = target(home, "cat-alerts")["rect"]
    assert _pixel(r, "home", (tile[0] + 6) / SIZE[0], 1 - (tile[3] - 6) / SIZE[1]) == CRITICAL
    for tid, colour in (("row-storm-warning", CRITICAL), ("row-water-cut", WARNING)):
        x0, _y0, _x1, y1 = target(lst, tid)["rect"]
        assert _pixel(r, "list", (x0 + 6) / SIZE[0], 1 - (y1 - 6) / SIZE[1]) == colour, tid
    # Text on each fill keeps at least 4.5:1 (the accessibility test checks every label).
    assert any(w.get("text") == "Coupure d'eau rue Haute" and w["bg"] for w in visible(lst))

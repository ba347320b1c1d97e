"""Touch targets are sized from the real screen's density, given by the device config
(display.dpi, or display.width_mm of the picture), and checked on the widget tree."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.touch.testing.harness import run_scenario
from kiosk.touch.theme import MIN_TARGET_MM, mm_to_px, px_to_mm, screen_dpi, sizes_for

from .ui import target, visible

WINDOW = (1280, 800)
STEPS = [{"tap": {"x": 0.5, "y": 0.5}}, {"dump": "home"}, {"tap": {"tid": "cat-services"}}, {"dump": "list"},
         {"tap": {"tid": "row-town-hall"}}, {"dump": "detail"}]


@pytest.mark.parametrize("dpi, width_mm, expected", [
    (160, None, 160.0),
    (None, 338.6667, 96.0),  # 1280 px over 338.67 mm
    (None, None, 102.0),  # nothing configured: what the system reports
])
def test_screen_density_comes_from_dpi_else_physical_width(dpi, width_mm, expected: float) -> None:
    assert screen_dpi(1280, dpi=dpi, width_mm=width_mm, fallback=102.0) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("window, dpi, target_px", [
    ((1280, 800), 96, 60),  # the share of the screen (7.5 % of 800 px) is more than 12 mm
    ((1280, 800), 160, 76),  # 12 mm at 160 dpi is 75.6 px: the physical floor wins
    ((800, 480), 160, 76),  # a small dense panel: 7.5 % would be 36 px, 5.7 mm
    ((800, 480), 96, 45),
])
def test_target_size_keeps_a_physical_floor(window: tuple[int, int], dpi: float, target_px: int) -> None:
    size = sizes_for(window, dpi)
    assert size.target == target_px
    assert px_to_mm(size.target, dpi) >= MIN_TARGET_MM


@pytest.mark.timeout(120)
@pytest.mark.parametrize("config, dpi, nav_px", [
    ("[display]\ndpi = 160\n", 160.0, 76),
    ("[display]\nwidth_mm = 338.6667\n", 96.0, 60),
])
def test_targets_measured_in_the_widget_tree_are_at_least_9_mm_at_the_configured_density(
        tmp_path: Path, config: str, dpi: float, nav_px: int) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(config)
    # --dpi 300 is what "the system" would report: the config must win over it.
    r = run_scenario(STEPS, tmp_path / "run", size=WINDOW, dpi=300, config=cfg)
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
    floor_px = mm_to_px(MIN_TARGET_MM, dpi)  # 56.7 px at 160 dpi, 34.0 px at 96 dpi
    for name in ("home", "list", "detail"):
        dump = r.dump(name)
        assert dump["dpi"] == pytest.approx(dpi, abs=0.01)
        sides = {w["tid"]: min(w["rect"][2] - w["rect"][0], w["rect"][3] - w["rect"][1])
                 for w in visible(dump) if w["target"]}
        assert sides and min(sides.values()) >= floor_px, (name, sorted(sides.items(), key=lambda kv: kv[1])[:3])
    # Navigation and language buttons are exactly the computed target: 12 mm or more.
    for tid in ("nav-back", "nav-home", "nav-large", "nav-contrast"):
        x0, y0, x1, y1 = target(r.dump("detail"), tid)["rect"]
        assert round(y1 - y0) == nav_px
    x0, y0, x1, y1 = target(r.dump("home"), "lang-de")["rect"]
    assert round(y1 - y0) == nav_px

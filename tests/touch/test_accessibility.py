"""EN 301 549 / RGAA checks on every screen, both orientations, both themes, large text:
touch targets at least 9 mm on the real screen, text contrast at least 4.5:1, no text
spilling out of its box, and in portrait the controls within reach in the lower half."""
from __future__ import annotations

from typing import Any

import pytest

from kiosk.touch.admin import make_pin_hash
from kiosk.touch.testing.harness import TOUR_PIN, HarnessResult, run_scenario, tour
from kiosk.touch.theme import MIN_TARGET_MM, dpi_for, px_to_mm
from player.severity import MIN_CONTRAST, contrast_ratio

from .ui import visible

SCREENS = {
    # name: (window size, diagonal in inches): a lobby monitor and a street totem
    "landscape": ((1920, 1080), 21.5),
    "portrait": ((1080, 1920), 43.0),
}
VARIANTS = ("standard", "contrast", "large")


@pytest.fixture(scope="module", params=list(SCREENS))
def screens(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> HarnessResult:
    size, diagonal = SCREENS[request.param]
    steps: list[dict[str, Any]] = [{"wait": 0.3}, {"dump": "attract"}, {"tap": {"x": 0.5, "y": 0.5}}]
    steps += tour("standard")
    steps += [{"tap": {"tid": "nav-contrast"}}] + tour("contrast", pin=None)
    steps += [{"tap": {"tid": "nav-contrast"}}, {"tap": {"tid": "nav-large"}}] + tour("large", pin=None)
    r = run_scenario(steps, tmp_path_factory.mktemp(request.param), size=size, dpi=dpi_for(size, diagonal),
                     pin_hash=make_pin_hash(TOUR_PIN), timeout=240)
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
    return r


def _dumps(r: HarnessResult) -> dict[str, Any]:
    dumps = r.results["dumps"]
    assert len(dumps) >= 50  # every screen of every variant was visited
    return dumps


@pytest.mark.timeout(300)
def test_every_screen_was_visited_in_each_variant(screens: HarnessResult) -> None:
    dumps = _dumps(screens)
    for variant in VARIANTS:
        assert dumps[f"{variant}-home"]["screen"] == "home"
        assert dumps[f"{variant}-detail-menus"]["screen"] == "detail"
        assert dumps[f"{variant}-idle"]["idle_overlay"]
    assert dumps["contrast-home"]["theme"] == "high-contrast" and not dumps["contrast-home"]["large_text"]
    assert dumps["large-home"]["theme"] == "standard" and dumps["large-home"]["large_text"]
    assert dumps["standard-admin"]["admin_panel"]


@pytest.mark.timeout(300)
def test_touch_targets_are_at_least_9_mm_on_the_real_screen(screens: HarnessResult) -> None:
    small = []
    for name, dump in _dumps(screens).items():
        for w in visible(dump):
            if w["target"]:
                x0, y0, x1, y1 = w["rect"]
                mm = px_to_mm(min(x1 - x0, y1 - y0), dump["dpi"])
                if mm < MIN_TARGET_MM:
                    small.append(f"{name}: {w['tid'] or w.get('text')} is {mm:.1f} mm")
    assert not small, "\n".join(small[:20])


@pytest.mark.timeout(300)
def test_every_text_has_a_contrast_of_at_least_4_5_to_1(screens: HarnessResult) -> None:
    low = []
    for name, dump in _dumps(screens).items():
        for w in visible(dump):
            if w.get("text", "").strip() and w["bg"] is not None:
                ratio = contrast_ratio(w["color"], w["bg"])
                if ratio < MIN_CONTRAST:
                    low.append(f"{name}: {w['text'][:30]!r} {ratio:.2f}:1")
    assert not low, "\n".join(low[:20])


@pytest.mark.timeout(300)
def test_every_label_sits_on_a_known_background(screens: HarnessResult) -> None:
    # Contrast is only meaningful when the colour behind the text is known.
    unknown = [f"{n}: {w['text'][:30]!r}" for n, d in _dumps(screens).items() if n != "attract"
               for w in visible(d) if w.get("text", "").strip() and w["bg"] is None]
    assert not unknown, unknown[:10]


@pytest.mark.timeout(300)
def test_no_text_spills_out_of_its_box(screens: HarnessResult) -> None:
    spilled = [f"{n}: {w['text'][:40]!r} texture {w['texture']} in {w['rect']}"
               for n, d in _dumps(screens).items() for w in visible(d) if w.get("overflow")]
    assert not spilled, "\n".join(spilled[:20])


@pytest.mark.timeout(300)
def test_text_is_large_enough_to_read_at_arms_length(screens: HarnessResult) -> None:
    tiny = [f"{n}: {w['text'][:30]!r} {px_to_mm(w['font_size'], d['dpi']):.1f} mm"
            for n, d in _dumps(screens).items() for w in visible(d)
            if w.get("text", "").strip() and px_to_mm(w["font_size"], d["dpi"]) < 4.0]
    assert not tiny, tiny[:10]


@pytest.mark.timeout(300)
def test_large_text_mode_makes_body_text_larger(screens: HarnessResult) -> None:
    dumps = _dumps(screens)

    def body_size(dump: dict[str, Any]) -> float:
        return min(w["font_size"] for w in visible(dump) if w.get("text", "").strip())
    for screen in ("detail-services", "list-agenda", "home"):
        assert body_size(dumps[f"large-{screen}"]) >= 1.25 * body_size(dumps[f"standard-{screen}"]), screen


ESSENTIAL = ("nav-", "lang-", "cat-", "filter-", "idle-continue", "pin-", "attract-lang-")


@pytest.mark.timeout(300)
def test_in_portrait_the_controls_are_in_the_lower_half(screens: HarnessResult) -> None:
    dumps = _dumps(screens)
    if dumps["standard-home"]["size"][1] <= dumps["standard-home"]["size"][0]:
        pytest.skip("landscape")
    high = []
    for name, dump in dumps.items():
        height = dump["size"][1]
        for w in visible(dump):
            if w["target"] and w["tid"].startswith(ESSENTIAL):
                centre_y = (w["rect"][1] + w["rect"][3]) / 2
                if centre_y > height / 2:
                    high.append(f"{name}: {w['tid']} at {centre_y / height:.0%} of the height")
    assert not high, "\n".join(high[:20])

"""Text fits its box on the touch screens: long French, German and English strings (a
long town name, compound words with no break, a long alert) in both orientations; no
text's rendered ink leaves the band it sits on (tile, row, strip, header, card), no label
draws more than its box, and a word wider than its column is hyphenated, not cut."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from hub.demo import demo_source_dir
from kiosk.touch.testing.harness import HarnessResult, run_scenario

from .ui import visible

pytestmark = pytest.mark.timeout(300)

COMPOUND = "Grundstücksverkehrsgenehmigungszuständigkeitsübertragungsverordnung"
LONG = f"""
[[services]]
id = "registry"
order = 0
phone = "+33 5 55 00 00 09"
[services.name]
fr = "Service de l'état civil, des élections, des cimetières et des affaires générales de la mairie annexe"
en = "Civil registry, elections, cemeteries and general affairs office of the town hall annex"
de = "Bürgerbüro und Einwohnermeldeamt mit Kraftfahrzeugzulassungsstelle und Fundbüro der Außenstelle"
[services.description]
fr = "Anticonstitutionnellement, les demandes intergouvernementalisations se déposent ici."
en = "Counterrevolutionaries and internationalisation requests: pneumonoultramicroscopicsilicovolcanoconiosis."
de = "Zuständig nach der {COMPOUND} für alle Anträge."
[services.hours.weekly]
mon = [["08:30", "12:00"]]
"""
ALERT = """
[[bulletins]]
id = "flood"
category = "alert"
severity = "warning"
alert = "banner"
valid_until = 2026-11-27T18:00:00
[bulletins.title]
fr = "Alerte crue : la Bruyère déborde, évacuation préventive des quartiers bas et routes départementales coupées"
en = "Flood warning: the Bruyère is overflowing, low districts are being evacuated and county roads are closed"
de = "Hochwasserwarnung: Die Bruyère tritt über die Ufer, vorsorgliche Evakuierung der Unterstadt, Kreisstraßen gesperrt"
"""


def _content(tmp_path: Path) -> Path:
    src = tmp_path / "content"
    shutil.copytree(demo_source_dir(), src)
    with (src / "kiosk" / "services.toml").open("a", encoding="utf-8") as f:
        f.write(LONG)
    with (src / "bulletins" / "news.toml").open("a", encoding="utf-8") as f:
        f.write(ALERT)
    site = src / "site.toml"
    site.write_text(site.read_text("utf-8").replace(
        'fr = "Ville de Valbruyère"\nen = "Town of Valbruyère"',
        'fr = "Communauté d\'agglomération de Valbruyère-sur-Lisière et des Monts de la Bruyère"\n'
        'en = "Valbruyère-sur-Lisière and Bruyère Hills Conurbation"\n'
        'de = "Gemeindeverwaltungsverband Valbruyère-sur-Lisière und Bruyère-Berge"', 1), "utf-8")
    return src


def _tour(lang: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"tap": {"tid": f"lang-{lang}"}}, {"dump": f"{lang}-home"},
                                   {"tap": {"tid": "cat-services"}}, {"dump": f"{lang}-list"},
                                   {"tap": {"tid": "row-registry"}}, {"dump": f"{lang}-detail"},
                                   {"tap": {"tid": "nav-large"}}, {"dump": f"{lang}-detail-large"},
                                   {"tap": {"tid": "nav-large"}}, {"tap": {"tid": "nav-home"}},
                                   {"tap": {"tid": "cat-alerts"}}, {"dump": f"{lang}-alerts"}, {"tap": {"tid": "nav-home"}}]
    return steps


@pytest.fixture(scope="module", params=[(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def screens(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> HarnessResult:
    tmp = tmp_path_factory.mktemp("fit")
    steps: list[dict[str, Any]] = [{"wait": 0.3}, {"dump": "attract"}, {"tap": {"x": 0.5, "y": 0.5}}]
    for lang in ("fr", "de", "en"):
        steps += _tour(lang)
    r = run_scenario(steps, tmp / "run", size=request.param, content=_content(tmp), mode="kiosk", timeout=240)
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
    return r


def _labels(r: HarnessResult) -> list[tuple[str, dict[str, Any]]]:
    return [(name, w) for name, dump in r.results["dumps"].items() for w in visible(dump)
            if w.get("drawn", "").strip()]


def test_no_text_ink_leaves_its_band(screens: HarnessResult) -> None:
    out = []
    for name, w in _labels(screens):
        band, ink = w["band"], w["ink"]
        if band is None:
            continue
        # Horizontally always; vertically unless the label scrolls (a scroll box clips it).
        clipped = w["visible_rect"] != w["rect"]
        if ink[0] < band[0] - 1 or ink[2] > band[2] + 1 or (
                not clipped and (ink[1] < band[1] - 1 or ink[3] > band[3] + 1)):
            out.append(f"{name}: {w['drawn'][:50]!r} ink {ink} outside {band}")
    assert not out, "\n".join(out[:20])


def test_no_label_draws_more_than_its_box(screens: HarnessResult) -> None:
    spilled = [f"{n}: {w['drawn'][:50]!r} texture {w['texture']} in {w['rect']}"
               for n, w in _labels(screens) if w["overflow"]]
    assert not spilled, "\n".join(spilled[:20])


def test_long_words_are_hyphenated_and_long_titles_kept_whole_or_ended_with_an_ellipsis(
        screens: HarnessResult) -> None:
    dumps = screens.results["dumps"]
    portrait = dumps["attract"]["size"][1] > dumps["attract"]["size"][0]
    for name in ("de-detail", "de-detail-large"):
        lines = [line for w in visible(dumps[name]) if COMPOUND[:11] in w.get("text", "")
                 for line in w["drawn"].splitlines()]
        assert lines, name
        if portrait and name.endswith("large"):
            # wider than the column: broken at a hyphenation point (pyphen's German), not sliced
            assert any(line.endswith("-") for line in lines), lines
            assert "".join(x.removesuffix("-") for x in lines).endswith(COMPOUND + " für alle Anträge.")
    # the alert strip: the alerts in at most two lines, ending with … when cut
    strip = [w for w in visible(dumps["de-home"]) if w.get("text", "").startswith("WARNUNG")]
    assert strip and all(len(w["drawn"].splitlines()) <= 2 for w in strip)
    said, drawn = " ".join(strip[0]["text"].split()), " ".join(strip[0]["drawn"].split())
    assert drawn == said or drawn.endswith("…")

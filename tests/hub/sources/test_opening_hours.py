"""OSM opening_hours in a hand-written kiosk file, evaluated at publish time (French public
holidays, school holidays by zone), and read by the kiosk like any structured hours."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.publisher import PublishError, publish
from hub.sources.hours import expand, horizon
from kiosk.touch.catalogue import build_catalogue
from kiosk.touch.hours import open_status
from kiosk.touch.status_text import describe_hours
from kiosk.touch.testing.sample import content_from_document

from ...helpers import write_source

PARIS = ZoneInfo("Europe/Paris")
TOWN_HALL = "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off"


def _town(tmp_path: Path, expression: str, extra: str = "") -> Path:
    src = write_source(tmp_path / "contenu")
    (src / "kiosk").mkdir()
    (src / "kiosk" / "services.toml").write_text(
        f'[[services]]\nid = "town-hall"\nopening_hours = "{expression}"\n{extra}[services.name]\nfr = "Mairie"\n',
        encoding="utf-8")
    return src


def _hours_at(tmp_path: Path, src: Path, published: datetime):  # noqa: ANN202 - the kiosk's OpeningHours
    r = publish(src, tmp_path / "tree", published)
    manifest = json.loads(r.manifest_path.read_bytes())
    [service] = build_catalogue(content_from_document(manifest)).services
    return service.hours, manifest["kiosk"]["services"][0]["hours"], r


def test_town_hall_hours_are_right_on_public_holidays_and_the_days_around(tmp_path: Path) -> None:
    src = _town(tmp_path, TOWN_HALL)
    hours, raw, r = _hours_at(tmp_path, src, datetime(2026, 12, 20, 8, tzinfo=PARIS))
    assert raw["public_holidays"] == "closed"
    assert {"date": "2026-12-25", "closed": True,
            "label": {"fr": "Jour férié", "en": "Public holiday", "es": "Día festivo", "de": "Feiertag"}} in raw["exceptions"]
    # Thursday 24 December, 10:00: open, closes at 12:00.
    s = open_status(hours, datetime(2026, 12, 24, 10, tzinfo=PARIS), PARIS)
    assert s.state == "open" and s.closes_at == datetime(2026, 12, 24, 12, tzinfo=PARIS)
    # Christmas Day (Friday) 10:00: closed for the holiday, opens Saturday 09:00.
    s = open_status(hours, datetime(2026, 12, 25, 10, tzinfo=PARIS), PARIS)
    assert s.state == "closed" and s.opens_at == datetime(2026, 12, 26, 9, tzinfo=PARIS)
    assert s.closed_today is not None and s.closed_today.label.get("fr") == "Jour férié"
    text, tone = describe_hours(hours, datetime(2026, 12, 25, 10, tzinfo=PARIS), PARIS, "fr")
    assert tone == "closed" and "Jour férié" in text and "09:00" in text
    # New Year's Day (Friday) is inside the horizon too; 31 December closes at 17:30.
    assert open_status(hours, datetime(2027, 1, 1, 10, tzinfo=PARIS), PARIS).state == "closed"
    s = open_status(hours, datetime(2026, 12, 31, 15, tzinfo=PARIS), PARIS)
    assert s.closes_at == datetime(2026, 12, 31, 17, 30, tzinfo=PARIS)
    assert r.warnings == ()


def test_armistice_day_falls_on_a_wednesday_and_closes(tmp_path: Path) -> None:
    src = _town(tmp_path, TOWN_HALL)
    hours, _raw, _ = _hours_at(tmp_path, src, datetime(2026, 11, 2, 8, tzinfo=PARIS))
    s = open_status(hours, datetime(2026, 11, 11, 10, tzinfo=PARIS), PARIS)
    assert s.state == "closed" and s.opens_at == datetime(2026, 11, 12, 8, 30, tzinfo=PARIS)
    assert open_status(hours, datetime(2026, 11, 10, 10, tzinfo=PARIS), PARIS).state == "open"


def test_dst_weekends_keep_local_hours(tmp_path: Path) -> None:
    src = _town(tmp_path, TOWN_HALL)
    hours, _raw, _ = _hours_at(tmp_path, src, datetime(2027, 3, 20, 8, tzinfo=PARIS))
    # Monday after the spring change (29 March 2027 is Easter Monday: a public holiday), Tuesday 30th.
    assert open_status(hours, datetime(2027, 3, 29, 10, tzinfo=PARIS), PARIS).state == "closed"
    s = open_status(hours, datetime(2027, 3, 30, 8, 29, tzinfo=PARIS), PARIS)
    assert s.state == "closed" and s.opens_at == datetime(2027, 3, 30, 8, 30, tzinfo=PARIS)


def test_school_holidays_without_a_zone_are_one_clear_warning(tmp_path: Path) -> None:
    src = _town(tmp_path, "Mo-Fr 10:00-18:00; SH Mo-Fr 14:00-18:00")
    _hours, raw, r = _hours_at(tmp_path, src, datetime(2026, 12, 1, 8, tzinfo=PARIS))
    assert r.warnings == (
        'kiosk/services.toml: services[id=town-hall].opening_hours: school holidays (SH) are not known: add '
        '[opening_hours] school_zone = "A", "B" or "C" to sources.toml; SH rules are left out',)
    assert raw["weekly"]["mon"] == [["10:00", "18:00"]]


def test_school_holidays_of_the_towns_zone_change_the_hours(tmp_path: Path) -> None:
    src = _town(tmp_path, "Mo-Fr 10:00-18:00; SH Mo-Fr 14:00-18:00")
    (src / "sources.toml").write_text('[opening_hours]\nschool_zone = "A"\n')
    hours, raw, r = _hours_at(tmp_path, src, datetime(2026, 12, 1, 8, tzinfo=PARIS))
    assert r.warnings == ()
    # The Christmas holidays of 2026 (zone A: from Saturday 19 December): afternoons only.
    assert {"date": "2026-12-21", "slots": [["14:00", "18:00"]],
            "label": {"fr": "Vacances de Noël", "en": "School holidays"}} in raw["exceptions"]
    s = open_status(hours, datetime(2026, 12, 21, 11, tzinfo=PARIS), PARIS)
    assert s.state == "closed" and s.opens_at == datetime(2026, 12, 21, 14, tzinfo=PARIS)
    assert open_status(hours, datetime(2026, 12, 14, 11, tzinfo=PARIS), PARIS).state == "open"


def test_the_horizon_moves_by_month_so_published_hours_change_at_most_monthly(tmp_path: Path) -> None:
    assert horizon(date(2026, 12, 20)) == (date(2026, 12, 1), date(2027, 3, 1))
    a, _ = expand(TOWN_HALL, tz=PARIS, today=date(2026, 12, 2))
    b, _ = expand(TOWN_HALL, tz=PARIS, today=date(2026, 12, 30))
    assert a == b


@pytest.mark.parametrize(("extra", "expression", "line"), [
    ("", "Mo-Fr 8:30-12", "kiosk/services.toml: services[id=town-hall].opening_hours: 'Mo-Fr 8:30-12' is not "
                          "opening_hours syntax"),
    ('hours = { weekly = { mon = [["09:00", "12:00"]] } }\n', TOWN_HALL,
     "kiosk/services.toml: services[id=town-hall].opening_hours: give opening_hours or hours, not both"),
])
def test_a_mistake_is_one_line_naming_the_file_the_item_and_the_field(tmp_path: Path, extra: str,
                                                                       expression: str, line: str) -> None:
    src = _town(tmp_path, expression, extra)
    with pytest.raises(PublishError) as e:
        publish(src, tmp_path / "tree", datetime(2026, 12, 1, tzinfo=PARIS))
    [problem] = e.value.problems
    assert problem.startswith(line)
    if "syntax" in line:
        assert problem.endswith('expected e.g. "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off"')
    assert not (tmp_path / "tree" / "v1" / "manifest.json").exists()

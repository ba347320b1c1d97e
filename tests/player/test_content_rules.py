"""Scheduling rules from the manifest to the engine: validation, cache rows, snapshot."""
from __future__ import annotations

import copy
import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest

from content_cache import ContentCache
from content_cache.snapshot import DayPart
from player.engine import ScheduleEngine
from sync import ManifestError, validate_document
from sync.to_cache import version_rows

from ..helpers import manifest_doc
from .builders import at

DATA = b"0123456789"
SHA = hashlib.sha256(DATA).hexdigest()


def ruled_doc() -> dict[str, Any]:
    doc = manifest_doc(media=[{"sha256": SHA, "size": len(DATA), "type": "image/png", "name": "a.png"}])
    doc["site"]["holidays"] = [{"date": "2026-12-25", "label": {"fr": "Noël"}}, {"date": "2027-01-01"}]
    doc["playlists"][0]["items"] = [
        {"id": "day", "type": "image", "media": SHA, "weekdays": ["mon", "fri"],
         "dayparts": [{"from": "08:00", "to": "12:00"}, {"from": "22:00", "to": "06:00"}],
         "skip_dates": ["2026-12-24"], "skip_holidays": True, "priority": 2, "weight": 3,
         "languages": ["fr"], "tags": ["town-record"]},
        {"id": "plain", "type": "image", "media": SHA},
        {"id": "storm-item", "type": "bulletin", "bulletin": "storm"},
    ]
    doc["bulletins"] = [{"id": "storm", "category": "alert", "severity": "critical", "alert": "banner",
                         "title": {"fr": "Tempête"}, "valid_until": "2026-11-28T05:00:00Z"}]
    return doc


def test_rules_travel_from_the_manifest_through_the_cache_to_the_engine(cache: ContentCache) -> None:
    manifest = validate_document(ruled_doc())
    cache.store.put_verified([DATA], SHA, len(DATA))
    cache.install_version(version_rows(manifest, manifest_sha256="0" * 64, etag=None,
                                       now=datetime(2026, 11, 26, tzinfo=UTC)),
                          datetime(2026, 11, 26, tzinfo=UTC))
    live = cache.read_live()
    day, plain, storm_item = live.playlist().items
    assert day.weekdays == {0, 4}
    assert day.dayparts == (DayPart(480, 720), DayPart(1320, 360))
    assert (day.skip_dates, day.skip_holidays, day.priority, day.weight) == ({date(2026, 12, 24)}, True, 2, 3)
    assert (day.languages, day.tags) == ({"fr"}, {"town-record"})
    assert (plain.weekdays, plain.dayparts, plain.priority, plain.weight) == (frozenset(), (), 0, 1)
    assert [h.day for h in live.holidays] == [date(2026, 12, 25), date(2027, 1, 1)]
    assert live.holidays[0].label.get("fr") == "Noël"
    assert storm_item.bulletin.alert == "banner"

    engine = ScheduleEngine()
    friday_morning = engine.now_playing(live, at(2026, 11, 27, 9))
    assert [i.id for i in friday_morning.items] == ["day"] * 3
    assert [(a.id, a.mode) for a in friday_morning.alerts] == [("storm", "banner")]
    assert [i.id for i in engine.now_playing(live, at(2026, 11, 27, 9), exclude_tags={"town-record"}).items] \
        == ["plain"]
    christmas = engine.now_playing(live, at(2026, 12, 25, 9))  # a Friday, and a holiday
    assert [i.id for i in christmas.items] == ["plain"] and christmas.alerts == ()  # the storm is over


def _item(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["playlists"][0]["items"][0]


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: _item(d)["dayparts"].append({"from": "25:00", "to": "26:00"}),
         "playlists[0].items[0].dayparts[2].from: '25:00' has an invalid format"),
        (lambda d: _item(d)["dayparts"].append({"from": "08:00"}),
         "playlists[0].items[0].dayparts[2]: missing required field 'to'"),
        (lambda d: _item(d)["dayparts"].append({"from": "24:00", "to": "06:00"}),
         "playlists[0].items[0].dayparts[2].from: '24:00' cannot start a day-part (use '00:00')"),
        (lambda d: _item(d)["dayparts"].append({"from": "09:00", "to": "09:00"}),
         "playlists[0].items[0].dayparts[2].to: '09:00' is the same as from (an empty day-part)"),
        (lambda d: _item(d).update(weekdays=["mon", "funday"]),
         "playlists[0].items[0].weekdays[1]: 'funday' is not one of mon, tue, wed, thu, fri, sat, sun"),
        (lambda d: _item(d).update(skip_dates=["2027-02-29"]),
         "playlists[0].items[0].skip_dates[0]: '2027-02-29' is not a calendar date"),
        (lambda d: _item(d).update(skip_dates=["24/12/2026"]),
         "playlists[0].items[0].skip_dates[0]: '24/12/2026' has an invalid format"),
        (lambda d: _item(d).update(skip_holidays="yes"),
         "playlists[0].items[0].skip_holidays: 'yes' is not of type boolean"),
        (lambda d: _item(d).update(weight=0),
         "playlists[0].items[0].weight: 0 is less than the minimum of 1"),
        (lambda d: _item(d).update(priority="high"),
         "playlists[0].items[0].priority: 'high' is not of type integer"),
        (lambda d: _item(d).update(languages=["FR"]),
         "playlists[0].items[0].languages[0]: 'FR' has an invalid format"),
        (lambda d: _item(d).update(tags=["Élection"]),
         "playlists[0].items[0].tags[0]: 'Élection' has an invalid format"),
        (lambda d: d["bulletins"][0].update(alert="popup"),
         "bulletins[0].alert: 'popup' is not one of fullscreen, banner"),
        (lambda d: d["site"]["holidays"].append({"date": "2026-12-25"}),
         "site.holidays[2].date: 2026-12-25 is listed twice"),
        (lambda d: d["site"]["holidays"].append({"date": "2026-02-30"}),
         "site.holidays[2].date: '2026-02-30' is not a calendar date"),
    ],
)
def test_each_rule_problem_is_one_line_naming_the_field(mutate, expected: str) -> None:
    doc = copy.deepcopy(ruled_doc())
    mutate(doc)
    with pytest.raises(ManifestError) as exc:
        validate_document(doc)
    assert expected in exc.value.problems, exc.value.problems
    assert all("\n" not in p for p in exc.value.problems)


def test_a_manifest_without_any_rule_is_still_valid() -> None:
    validate_document(manifest_doc())


def test_any_bulletin_may_ask_to_be_a_banner_alert() -> None:
    doc = ruled_doc()
    doc["bulletins"].append({"id": "closed", "category": "info", "severity": "info", "alert": "banner",
                             "title": {"fr": "Mairie fermée cet après-midi"}})
    validate_document(doc)

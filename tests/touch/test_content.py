"""Kiosk content: the demo validates, bad documents are logged once and shown safely,
languages fall back to French, empty categories are hidden."""
from __future__ import annotations

import copy
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.publisher import build_document
from kiosk.touch.catalogue import build_catalogue
from kiosk.touch.details import DetailBuilder
from kiosk.touch.testing.sample import DEMO_CONTENT, content_from_document, content_from_folder
from sync import ManifestError, validate_document

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 26, 10, 30, tzinfo=PARIS)
NB = "\u202f"  # between an English time and AM/PM


def base_doc(**kiosk: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema_version": 1, "version": "v1", "published_at": "2026-11-26T06:00:00Z",
        "site": {"id": "town", "name": {"fr": "Ville", "en": "Town"}, "timezone": "Europe/Paris",
                 "languages": ["fr", "en"], "default_playlist": "lobby"},
        "media": [], "playlists": [{"id": "lobby", "items": []}], "bulletins": [],
        "kiosk": kiosk,
    }


def builder(doc: dict[str, Any], lang: str = "fr", now: datetime = NOW) -> DetailBuilder:
    return DetailBuilder(build_catalogue(content_from_document(doc)), lang, now)


def test_demo_content_validates_and_fills_every_category() -> None:
    b = DetailBuilder(build_catalogue(content_from_folder(DEMO_CONTENT)), "fr", NOW)
    assert b.cat.problems == ()
    assert [t.category for t in b.home().tiles] == [
        "alerts", "services", "menus", "procedures", "agenda", "news", "places", "numbers"]


def test_demo_manifest_kiosk_sections_pass_the_schema() -> None:
    doc, _ = build_document(DEMO_CONTENT)
    doc = {"version": "v1", "published_at": "2026-11-26T06:00:00Z", **doc}
    manifest = validate_document(json.loads(json.dumps(doc)))
    assert set(manifest.document["kiosk"]) == {"services", "menus", "procedures", "events", "news", "places", "numbers"}


@pytest.mark.parametrize(
    ("section", "doc", "line"),
    [
        ("events", {"id": "e", "title": {"fr": "Fête"}}, "kiosk.events[0]: missing required field 'start'"),
        ("places", {"id": "p", "name": {"fr": "Parc"}, "latitude": 120, "longitude": 2},
         "kiosk.places[0].latitude: 120 is greater than the maximum of 90"),
        ("numbers", {"id": "n", "name": {"fr": "SAMU"}, "number": "call us"},
         "kiosk.numbers[0].number: 'call us' has an invalid format"),
        ("news", {"id": "n", "title": {"fr": "Info"}, "url": "http://example.org"},
         "kiosk.news[0].url: 'http://example.org' has an invalid format"),
        ("procedures", {"id": "p", "title": {"fr": "Démarche"}, "steps": ["texte nu"]},
         "kiosk.procedures[0].steps[0]: 'texte nu' is not of type object"),
        ("services", {"id": "s", "name": {"fr": "Mairie"}, "hours": {"weekly": {"mon": [["8h", "12:00"]]}}},
         "kiosk.services[0].hours.weekly.mon[0][0]: '8h' has an invalid format"),
    ],
)
def test_schema_names_the_field_of_a_bad_kiosk_document(section: str, doc: dict, line: str) -> None:
    with pytest.raises(ManifestError) as e:
        validate_document(base_doc(**{section: [doc]}))
    assert any(p.startswith(line) for p in e.value.problems), e.value.problems


SERVICE = {"id": "pool", "name": {"fr": "Piscine", "en": "Pool"}, "description": {"fr": "Bassin de 25 m"},
           "hours": {"weekly": {"thu": [["09:00", "12:00"]]}}}


def test_missing_translation_falls_back_to_french() -> None:
    b = builder(base_doc(services=[SERVICE]), lang="de")
    page = b.detail("services", "pool")
    assert page is not None and page.title == "Piscine"
    assert any(bl.text == "Bassin de 25 m" for bl in page.blocks)
    assert builder(base_doc(services=[SERVICE]), lang="en").detail("services", "pool").title == "Pool"


def test_malformed_hours_show_see_details_and_log_one_line_naming_the_field(caplog: pytest.LogCaptureFixture) -> None:
    bad = copy.deepcopy(SERVICE)
    bad["hours"]["weekly"]["thu"] = [["24:30", "12:00"]]  # passes the schema's pattern
    with caplog.at_level(logging.WARNING, logger="kiosk.touch.catalogue"):
        b = builder(base_doc(services=[bad]))
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["content v1: kiosk.services[id=pool].hours.weekly.thu[0]: '24:30' is not a time of day"]
    assert b.list_page("services").rows[0].detail == "Voir le détail"
    page = b.detail("services", "pool")
    assert [bl.text for bl in page.blocks][:3] == [
        "Voir le détail", "Bassin de 25 m", "Horaires d'ouverture"]
    assert "Les horaires n'ont pas pu être lus. Appelez ou consultez le site internet." in [bl.text for bl in page.blocks]


def test_document_without_its_title_is_skipped_with_one_line(caplog: pytest.LogCaptureFixture) -> None:
    content = content_from_document(base_doc(procedures=[{"id": "ok", "title": {"fr": "A"}}, {"id": "broken"}]))
    with caplog.at_level(logging.WARNING):
        cat = build_catalogue(content)
    assert [p.id for p in cat.procedures] == ["ok"]
    assert cat.problems == ("kiosk.procedures[id=broken].title: missing; not shown",)


def test_event_ending_before_it_starts_keeps_its_start_and_says_why() -> None:
    ev = {"id": "e", "title": {"fr": "Fête"}, "start": "2026-11-26T18:00:00Z", "end": "2026-11-26T17:00:00Z"}
    cat = build_catalogue(content_from_document(base_doc(events=[ev])))
    assert cat.events[0].end is None
    assert cat.problems == ("kiosk.events[id=e].end: 2026-11-26T17:00:00Z is not after the start 2026-11-26T18:00:00Z; end ignored",)


def test_empty_and_stale_categories_are_hidden_from_home() -> None:
    stale_menu = {"id": "m", "name": {"fr": "Cantine"}, "days": [
        {"date": "2026-10-05", "courses": [{"course": "main", "dish": {"fr": "Plat"}}]}]}
    past_event = {"id": "e", "title": {"fr": "Fête"}, "start": "2026-11-20T18:00:00Z", "end": "2026-11-20T20:00:00Z"}
    b = builder(base_doc(services=[SERVICE], menus=[stale_menu], events=[past_event], news=[]))
    assert [t.category for t in b.home().tiles] == ["services"]


def test_alerts_are_current_warning_and_critical_bulletins_critical_first() -> None:
    doc = base_doc()
    doc["bulletins"] = [
        {"id": "works", "category": "works", "severity": "warning", "title": {"fr": "Travaux"}},
        {"id": "info", "category": "info", "severity": "info", "title": {"fr": "Info"}},
        {"id": "storm", "category": "alert", "severity": "critical", "title": {"fr": "Tempête"},
         "valid_until": "2026-11-27T05:00:00Z"},
        {"id": "old", "category": "alert", "severity": "critical", "title": {"fr": "Ancienne"},
         "valid_until": "2026-11-20T05:00:00Z"},
    ]
    b = builder(doc)
    rows = b.list_page("alerts").rows
    assert [(r.doc_id, r.detail) for r in rows] == [("storm", "Jusqu'au 27 novembre à 06:00"), ("works", "")]
    tile = b.home().tiles[0]
    assert (tile.category, tile.alert, tile.severity, tile.pictogram) == ("alerts", True, "critical", "alerts")
    assert [(r.severity, r.pictogram) for r in rows] == [("critical", "alerts"), ("warning", "alerts")]


def test_place_with_coordinates_gets_a_map_link_for_the_phone() -> None:
    place = {"id": "wc", "name": {"fr": "Toilettes"}, "kind": "toilets", "latitude": 45.83412, "longitude": 1.26105}
    page = builder(base_doc(places=[place])).detail("places", "wc")
    assert page.link == "https://www.openstreetmap.org/?mlat=45.83412&mlon=1.26105#map=18/45.83412/1.26105"
    assert ("Type", "Toilettes publiques") in [(bl.label, bl.text) for bl in page.blocks]


def test_image_that_is_not_on_the_device_is_left_out_of_the_page(tmp_path: Path) -> None:
    sha = "a" * 64
    news = {"id": "n", "title": {"fr": "Info"}, "image": sha}
    page = builder(base_doc(news=[news])).detail("news", "n")
    assert page.image == sha  # the UI resolves it, and shows the page without it when missing


def test_page_speech_reads_title_then_blocks() -> None:
    number = {"id": "n", "name": {"fr": "Urgences"}, "number": "112", "available": {"fr": "24 h/24"}}
    page = builder(base_doc(numbers=[number])).detail("numbers", "n")
    assert page.speech() == "Urgences.\nTéléphone: 112.\nDisponible: 24 h/24"


def test_agenda_filters_and_day_headings_in_english() -> None:
    b = DetailBuilder(build_catalogue(content_from_folder(DEMO_CONTENT)), "en", NOW)
    page = b.list_page("agenda", "weekend")
    assert [f.label for f in page.filters] == ["All", "Today", "This weekend"]
    assert [r.title for r in page.rows if not r.doc_id] == ["Saturday 28 November", "Sunday 29 November"]
    today = b.list_page("agenda", "today")
    assert today.rows[0].title == "Today · Thursday 26 November"
    assert [r.detail for r in today.rows[1:]] == [f"4:30{NB}PM–5:30{NB}PM · Colette media library",
                                           f"7:00{NB}PM–9:00{NB}PM · Council chamber, town hall"]

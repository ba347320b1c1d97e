"""The editor's pure parts: what people type turned into the folder's values (and errors
in plain words), opening hours' "open now" across both DST changes, an alert's default end
across them, the folder written in place with its comments, alerts for some screens."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.alert_screens import Targets, base_version, for_device
from hub.editor import convert, hours
from hub.editor.folder import ContentFolder, DocRef
from sync import manifest_bytes

PARIS = ZoneInfo("Europe/Paris")


def test_what_people_type_becomes_the_folders_values() -> None:
    assert convert.parse_dayparts("8:00-12:00, 14h00 – 18h30; 22:00-06:00") == [
        {"from": "08:00", "to": "12:00"}, {"from": "14:00", "to": "18:30"}, {"from": "22:00", "to": "06:00"}]
    assert convert.parse_dates("2027-12-24, 2027-12-31") == [date(2027, 12, 24), date(2027, 12, 31)]
    assert convert.parse_tags("Bilan, sport  sport") == ["bilan", "sport"]
    assert convert.parse_local_datetime("2027-03-31 18:00") == datetime(2027, 3, 31, 18, 0)
    assert convert.slug("Piscine : nouveaux horaires d'été !") == "piscine-nouveaux-horaires-d-ete"
    assert convert.parse_menu("2027-03-02 | main | Poulet rôti | organic, local\n2027-03-01 | dessert | Pomme", "fr") == [
        {"date": date(2027, 3, 1), "courses": [{"course": "dessert", "dish": {"fr": "Pomme"}}]},
        {"date": date(2027, 3, 2), "courses": [{"course": "main", "dish": {"fr": "Poulet rôti"},
                                                "labels": ["organic", "local"]}]}]
    for bad, says in (("25:00-26:00", "is not a time of day (00:00 to 24:00)"), ("08:00", "is not a time range"),
                      ("24:00-02:00", "cannot start at 24:00"), ("09:00-09:00", "starts and ends at the same time")):
        with pytest.raises(convert.Invalid) as e:
            convert.parse_dayparts(bad)
        assert says in str(e.value)
    with pytest.raises(convert.Invalid, match="is not a course"):
        convert.parse_menu("2027-03-01 | plat | Poulet", "fr")
    with pytest.raises(convert.Invalid, match="without a time zone"):
        convert.parse_local_datetime("2027-03-31T18:00+02:00")


@pytest.mark.parametrize("local, open_now, text", [
    # spring forward (28 March 2027, 02:00 → 03:00): open at 01:30, the gap skipped
    (datetime(2027, 3, 28, 1, 30), True, "Open now · closes at 04:00"),
    (datetime(2027, 3, 28, 4, 30), False, "Closed now · opens tomorrow at 01:00"),
    # fall back (31 October 2027, 03:00 → 02:00): the repeated hour
    (datetime(2027, 10, 31, 2, 30), True, "Open now · closes at 04:00"),
])
def test_open_now_across_both_dst_changes(local: datetime, open_now: bool, text: str) -> None:
    status = hours.status("Mo-Su 01:00-04:00", PARIS, local.replace(tzinfo=PARIS))
    assert status.ok and status.open_now is open_now
    assert status.message.english() == text


def test_a_week_grid_is_said_as_openstreetmap_and_checked_as_publishing_would() -> None:
    weekly = {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], "sat": [["09:00", "12:00"]]}
    assert hours.grid_expression(weekly, True) == "Mo 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off"
    assert hours.grid_expression({}, True) == "off"
    problem = hours.check_expression("Mo-Fr 25:00-30:00", PARIS, datetime(2027, 3, 1, tzinfo=UTC))
    assert problem is not None and "is not opening_hours syntax" in problem.english()


@pytest.mark.parametrize("utc, local_end", [
    (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), "2027-03-28T05:30"),  # 00:30 CET + 4 h = 05:30 CEST
    (datetime(2027, 10, 30, 23, 30, tzinfo=UTC), "2027-10-31T04:30"),  # 01:30 CEST + 4 h = 04:30 CET
])
def test_an_alerts_default_end_is_four_real_hours_across_dst(utc: datetime, local_end: str) -> None:
    from hub.editor.workspace import Site
    from hub.web.editor_related import alert_default_end
    from player.neutrality import NeutralityRules

    site = Site("Testville", ("fr",), PARIS, ("lobby",), "lobby", NeutralityRules(), {})
    assert alert_default_end(utc, site) == local_end


def test_the_folder_is_written_in_place_with_its_comments(tmp_path: Path) -> None:
    (tmp_path / "bulletins").mkdir()
    path = tmp_path / "bulletins" / "news.toml"
    path.write_text('# Bulletins of the hall\n\n[[bulletins]]\nid = "a"  # first\ncategory = "info"\nseverity = "info"\n'
                    '[bulletins.title]\nfr = "A"\n\n# the second one\n[[bulletins]]\nid = "b"\ncategory = "works"\n'
                    'severity = "info"\ntitle = { fr = "B" }\nvalid_until = 2027-03-31T18:00\n', encoding="utf-8")
    folder = ContentFolder(tmp_path)
    written = folder.write(DocRef("bulletins/news.toml", "bulletins", "a"),
                           {"title": {"fr": "A bis", "en": "A again"}, "body": {"fr": "Ligne 1\nLigne 2"}},
                           ("title", "body"))
    text = path.read_text()
    assert text.startswith('# Bulletins of the hall\n\n[[bulletins]]\nid = "a"  # first\n')
    assert '[bulletins.title]\nfr = "A bis"\nen = "A again"' in text and 'fr = """Ligne 1\nLigne 2"""' in text
    assert "# the second one" in text and "valid_until = 2027-03-31T18:00" in text  # TOML 1.1 kept as written
    assert '-fr = "A"' in written.unified_diff() and '+fr = "A bis"' in written.unified_diff()
    folder.write(DocRef("bulletins/news.toml", "bulletins", "b"), None)
    assert 'id = "b"' not in path.read_text() and 'id = "a"' in path.read_text()
    doc = folder.find(DocRef("bulletins/news.toml", "bulletins", "a"))
    assert doc is not None and doc.values["body"] == {"fr": "Ligne 1\nLigne 2"}


def test_alerts_for_some_screens_leave_the_others_manifest() -> None:
    doc = {"schema_version": 1, "version": "c0123456789abcdef0123", "published_at": "2027-03-01T00:00:00Z",
           "site": {"id": "t", "name": {"fr": "T"}, "timezone": "Europe/Paris", "languages": ["fr"],
                    "default_playlist": "lobby"},
           "media": [], "playlists": [{"id": "lobby", "items": [{"id": "gym", "type": "bulletin", "bulletin": "gym"}]}],
           "bulletins": [{"id": "gym", "category": "alert", "severity": "warning", "alert": "banner",
                          "title": {"fr": "Gymnase fermé"}}]}
    body = manifest_bytes(doc)
    targets = Targets({"gym": frozenset({"totem-1"})})
    assert for_device(body, targets, "totem-1") is None  # the shared one
    other = json.loads(for_device(body, targets, "totem-2") or b"{}")
    assert other["bulletins"] == [] and other["playlists"][0]["items"] == []
    assert base_version(other["version"]) == doc["version"] != other["version"]
    assert for_device(body, Targets(), "totem-2") is None

"""The editor over HTTP on a real hub (SQLite and PostgreSQL): a save lands in the content
folder (comments of hand edits kept), a hand edit made while the form was open is not
overwritten (both versions shown), in a reserve period an editor's change waits for a
publisher (who sees the verdict and approves it), editors cannot publish, the trail is
exported as CSV and by `kiosk hub audit`, forms without their CSRF token are refused,
markup in a title stays text."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from hub.db.models import ContentChange, Publication
from hub.fleet.roles import Role

from ..helpers import write_source
from . import editor_media
from .editor_harness import add_election, errors_of, flashes, form_digest, in_english, local, post_form
from .harness import Hub, csrf, start_hub, stop_hub

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def ehub(tmp_path: Path, database_url: str | None) -> Iterator[Hub]:
    src = write_source(tmp_path / "src")
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text("# Hall d'accueil: posters chosen by the communication team\n" + lobby.read_text()
                     .replace('id = "img-1"\n', 'id = "img-1"  # the pool, until spring\n'), encoding="utf-8")
    h = start_hub(tmp_path, database_url, src, content_dir=src)
    h.add_user("claire", Role.EDITOR)
    h.add_user("paul", Role.PUBLISHER)
    yield h
    stop_hub(h)


def _poster(ehub: Hub, s: requests.Session, caption: str, **more: str) -> requests.Response:
    data = {"playlist": "lobby", "caption__fr": caption, "valid_until": "2030-01-01T00:00",
            "weekdays": ["mon", "tue"], "dayparts": "08:00-12:00", "accept_warnings": "1", **more}
    return post_form(s, ehub, "/editor/poster/new", data,
                     files={"file": ("affiche.jpg", io.BytesIO(editor_media.jpeg()), "image/jpeg")})


def test_a_poster_saved_in_the_editor_is_in_the_folder_with_hand_edits_kept(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    s = ehub.login("claire")
    r = _poster(ehub, s, "Fête du sport", new_id="fete-sport", tags="sport")
    assert r.status_code == 302, errors_of(r.text) or r.text[-2000:]
    text = (src / "playlists" / "lobby.toml").read_text()
    assert text.startswith("# Hall d'accueil: posters chosen by the communication team\n")
    assert 'id = "img-1"  # the pool, until spring' in text  # hand edits' comments stay
    assert '[[items]]\nid = "fete-sport"\ntype = "image"\nfile = "media/editor/' in text
    assert 'weekdays = ["mon", "tue"]' in text and 'dayparts = [{from = "08:00", to = "12:00"}]' in text
    assert "valid_until = 2030-01-01T00:00:00" in text and 'tags = ["sport"]' in text
    with ehub.db.session() as db:
        row = db.scalars(select(ContentChange)).one()
    assert (row.username, row.action, row.kind, row.item_id, row.status) == ("claire", "create", "poster",
                                                                            "fete-sport", "applied")
    assert "caption.fr: — → « Fête du sport »" in row.diff and "+weekdays" in row.file_diff
    # published by the real `kiosk publish` (a subprocess), recorded with what it held
    p = ehub.login("paul")
    r = p.post(f"{ehub.url}/editor/publish", data={"csrf_token": csrf(p, f"{ehub.url}/editor/changes")}, timeout=120)
    assert any("Publié" in f or "Published" in f for f in flashes(r.text)), flashes(r.text)
    with ehub.db.session() as db:
        pub = db.scalars(select(Publication)).one()
    assert pub.username == "paul" and pub.changed and not pub.in_reserve
    assert {"kind": "image", "id": "fete-sport", "playlist": "lobby", "title": "Fête du sport", "tags": ["sport"],
            "valid_from": None, "valid_until": "2029-12-31T23:00:00Z"} in pub.contents
    manifest = (ehub.settings.published_dir / "v1" / "manifest.json").read_text()
    assert pub.version in manifest and "fete-sport" in manifest


def test_a_hand_edit_while_the_form_is_open_is_shown_not_overwritten(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    s = ehub.login("claire")
    path = "/editor/bulletin/works?file=news.toml"
    opened = s.get(f"{ehub.url}{path}", timeout=10).text
    digest = form_digest(opened)
    news = src / "bulletins" / "news.toml"
    news.write_text(news.read_text().replace("Circulation alternée.", "Rue fermée le 12 (édité à la main)."))
    r = post_form(s, ehub, path, {"title__fr": "Travaux rue Haute", "body__fr": "Circulation alternée jusqu'au 20.",
                                  "category": "works", "severity": "warning", "loops": "lobby"}, digest=digest)
    assert r.status_code == 409
    assert "Rue fermée le 12 (édité à la main)." in r.text.split('id="theirs"')[1].split("</pre>")[0]
    assert "Circulation alternée jusqu&#39;au 20." in r.text.split('id="yours"')[1].split("</pre>")[0]
    assert "Rue fermée le 12 (édité à la main)." in news.read_text()  # nothing overwritten
    # "save mine over it": the page carries the form again, with the digest of what is there now
    import re

    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', r.text))
    carried["body__fr"] = "Circulation alternée jusqu'au 20."
    r = s.post(f"{ehub.url}{path}", data=carried, allow_redirects=False, timeout=30)
    assert r.status_code == 302, errors_of(r.text)
    assert "Circulation alternée jusqu'au 20." in news.read_text()


def test_another_items_hand_edit_in_the_same_file_is_kept(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    s = ehub.login("claire")
    path = "/editor/poster/img-0?file=lobby.toml"
    digest = form_digest(s.get(f"{ehub.url}{path}", timeout=10).text)
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace('file = "media/img2.png"\nduration = 5\n',
                                               'file = "media/img2.png"\nduration = 12\n'))
    r = post_form(s, ehub, path, {"file_keep": "media/img0.png", "caption__fr": "Piscine", "duration": "7",
                                  "accept_warnings": "1"},
                  digest=digest)
    assert r.status_code == 302, errors_of(r.text)
    text = lobby.read_text()
    assert 'file = "media/img2.png"\nduration = 12\n' in text and "duration = 7" in text


def test_errors_are_beside_their_field_in_plain_words(ehub: Hub) -> None:
    s = ehub.login("claire")
    in_english(s, ehub)
    r = post_form(s, ehub, "/editor/poster/img-0?file=lobby.toml", {
        "file_keep": "media/img0.png", "duration": "-3", "dayparts": "25:00-26:00", "valid_from": "2027-05-02T10:00",
        "valid_until": "2027-05-01T10:00", "tags": "Bilan 2026!", "weight": "1.5"})
    assert r.status_code == 400
    text = r.text
    assert "Between 0.5 and 86400." in text
    assert "'25:00' is not a time of day (00:00 to 24:00)" in text.replace("&#39;", "'")
    assert "is not a tag: letters a-z, digits and '-' only" in text.replace("&#39;", "'")
    assert "'1.5' is not a whole number." in text.replace("&#39;", "'")
    # each beside its own field
    assert 'id="field-duration"' in text.split("Between 0.5 and 86400.")[0].rsplit('<div class="field', 1)[1]
    r = post_form(s, ehub, "/editor/poster/img-0?file=lobby.toml", {
        "file_keep": "media/img0.png", "valid_from": "2027-05-02T10:00", "valid_until": "2027-05-01T10:00"})
    assert r.status_code == 400  # the publisher's own rule: the end after the start
    assert "valid_until" in r.text and "2027-05-01" in r.text


def test_in_a_reserve_period_an_editors_change_waits_for_a_publisher(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    first, last = add_election(src, ehub.clock().astimezone(PARIS).date())
    s = ehub.login("claire")
    form = s.get(f"{ehub.url}/editor/poster/new", timeout=10).text
    assert "période de réserve" in form.lower() or "reserve period" in form.lower()
    before = (src / "playlists" / "lobby.toml").read_text()
    r = _poster(ehub, s, "Bilan du mandat", new_id="bilan-mandat", tags="bilan")
    assert r.status_code == 302, errors_of(r.text)
    assert (src / "playlists" / "lobby.toml").read_text() == before  # not in the folder
    assert not list((src / "media").rglob("editor/*"))
    # editors cannot publish
    r = s.post(f"{ehub.url}/editor/publish", data={"csrf_token": csrf(s, f"{ehub.url}/editor/changes")}, timeout=30)
    assert r.status_code == 403
    assert 'id="publish"' not in s.get(f"{ehub.url}/editor/changes", timeout=10).text
    with ehub.db.session() as db:
        row = db.scalars(select(ContentChange)).one()
    assert row.status == "pending" and row.in_reserve
    start = f"{int(first[:4]) - (1 if int(first[5:7]) <= 6 else 0)}"
    assert "étiqueté bilan : retenu sur tous les écrans du" in row.verdict and row.verdict.endswith(f"au {last}")
    assert start in row.verdict
    # the publisher sees it with its verdict, approves it: in the folder, then published
    p = ehub.login("paul")
    page = p.get(f"{ehub.url}/editor/changes", timeout=10).text
    assert "Bilan du mandat" in page and "étiqueté bilan" in page
    r = p.post(f"{ehub.url}/editor/changes/{row.id}/approve",
               data={"csrf_token": csrf(p, f"{ehub.url}/editor/changes")}, allow_redirects=False, timeout=30)
    assert r.status_code == 302
    text = (src / "playlists" / "lobby.toml").read_text()
    assert 'id = "bilan-mandat"' in text and 'tags = ["bilan"]' in text
    assert len(list((src / "media").rglob("editor/*.jpg"))) == 1
    r = p.post(f"{ehub.url}/editor/publish", data={"csrf_token": csrf(p, f"{ehub.url}/editor/changes")}, timeout=120)
    with ehub.db.session() as db:
        row = db.get(ContentChange, row.id)
        assert row is not None and (row.status, row.decided_by) == ("applied", "paul")
        assert db.scalars(select(Publication)).one().in_reserve
    # the trail as CSV: the change, who approved it, its verdict, the publication and its contents
    rows = list(csv.reader(io.StringIO(p.get(f"{ehub.url}/editor/audit.csv", timeout=10).text.lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][:3] == ["date", "qui", "événement"]
    change = next(r for r in rows if r[4] == "bilan-mandat" and r[2].startswith("modification"))
    assert (change[1], change[6], change[7], change[9]) == ("claire", "appliquée", "paul", "oui")
    assert "étiqueté bilan" in change[10]
    assert any(r[2] == "contenu publié" and r[4] == "bilan-mandat" and "tags bilan" in r[11] for r in rows)
    # kiosk hub audit --election: the same rows, from the command line
    out = subprocess.run([sys.executable, "-m", "kiosk", "hub", "audit", "--data", str(ehub.settings.data_dir),
                          *(["--database-url", ehub.settings.database_url] if ehub.settings.database_url else []),
                          "--election", "Municipales test", "--content", str(src), "--lang", "en"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = list(csv.reader(io.StringIO(out.stdout)))
    assert lines[0][:3] == ["when", "who", "event"]
    assert any(r[4] == "bilan-mandat" and r[1] == "claire" and r[7] == "paul" for r in lines)


def test_alerts_need_an_end_can_be_ended_now_and_are_never_held(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    add_election(src, ehub.clock().astimezone(PARIS).date())
    s = ehub.login("claire")
    page = s.get(f"{ehub.url}/editor/alert/", timeout=10).text
    default_end = ehub.clock().astimezone(PARIS) + timedelta(hours=4)
    assert f'value="{local(default_end)[:13]}' in page  # the end is filled in: four hours from now
    r = post_form(s, ehub, "/editor/alert/new", {"title__fr": "Coupure d'eau", "severity": "warning",
                                                 "alert": "banner", "valid_until": ""}, digest="absent")
    assert r.status_code == 400 and "Requis." in r.text
    end = local(ehub.clock().astimezone(PARIS) + timedelta(hours=3))
    r = post_form(s, ehub, "/editor/alert/new", {"title__fr": "Coupure d'eau", "severity": "warning",
                                                 "alert": "banner", "valid_until": end}, digest="absent")
    assert r.status_code == 302, errors_of(r.text)
    text = (src / "bulletins" / "alerts.toml").read_text()
    assert 'id = "coupure-d-eau"' in text and 'category = "alert"' in text  # in the folder at once
    page = s.get(f"{ehub.url}/editor/alert/", timeout=10).text
    r = s.post(f"{ehub.url}/editor/alert/coupure-d-eau/end?file=alerts.toml",
               data={"csrf_token": csrf(s, f"{ehub.url}/editor/alert/")}, allow_redirects=False, timeout=30)
    assert r.status_code == 302
    now_local = local(ehub.clock().astimezone(PARIS))
    assert f"valid_until = {now_local}:00" in (src / "bulletins" / "alerts.toml").read_text() or \
        f"valid_until = {now_local[:-1]}" in (src / "bulletins" / "alerts.toml").read_text()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_form_without_its_csrf_token_is_refused_and_markup_stays_text(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    s = ehub.login("claire")
    before = (src / "playlists" / "lobby.toml").read_text()
    r = s.post(f"{ehub.url}/editor/poster/new", data={"doc_digest": "absent", "playlist": "lobby",
                                                      "caption__fr": "x"}, allow_redirects=False, timeout=10)
    assert r.status_code == 400 and (src / "playlists" / "lobby.toml").read_text() == before
    markup = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = _poster(ehub, s, markup, new_id="markup")
    assert r.status_code == 302
    for path in ("/editor/poster/", "/editor/poster/markup?file=lobby.toml", "/editor/changes", "/editor/audit",
                 "/editor/playlists/lobby"):
        html = s.get(f"{ehub.url}{path}", timeout=10).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_opening_hours_open_now_check_and_the_week_grid(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    s = ehub.login("claire")
    in_english(s, ehub)
    token = csrf(s, f"{ehub.url}/editor/services/new")
    always = s.post(f"{ehub.url}/editor/hours/check", data={"csrf_token": token, "hours_mode": "osm",
                                                            "hours_osm": "24/7"}, timeout=10).text
    assert "Open now" in always and 'class="hours-status open"' in always
    bad = s.post(f"{ehub.url}/editor/hours/check", data={"csrf_token": token, "hours_mode": "osm",
                                                         "hours_osm": "Mo-Fr 25:00-30:00"}, timeout=10).text
    assert "is not opening_hours syntax" in bad and "hours-status bad" in bad
    grid = s.post(f"{ehub.url}/editor/hours/check", data={"csrf_token": token, "hours_mode": "grid"}, timeout=10).text
    assert "Closed now" in grid
    r = post_form(s, ehub, "/editor/services/new", {"name__fr": "Piscine", "hours_mode": "grid",
                                                    "hours_mon": "08:30-12:00, 13:30-17:30", "hours_sat": "9h-12h",
                                                    "hours_holidays": "y", "url": "https://www.valbruyere.fr/piscine"},
                  digest="absent")
    assert r.status_code == 400 and "'9h' is not a time of day" in r.text.replace("&#39;", "'")
    r = post_form(s, ehub, "/editor/services/new", {"name__fr": "Piscine", "hours_mode": "grid",
                                                    "hours_mon": "08:30-12:00, 13:30-17:30", "hours_sat": "9h00-12h00",
                                                    "hours_holidays": "y"}, digest="absent")
    assert r.status_code == 302, errors_of(r.text)
    text = (src / "kiosk" / "services.toml").read_text()
    assert 'mon = [["08:30", "12:00"], ["13:30", "17:30"]]' in text and 'sat = [["09:00", "12:00"]]' in text
    assert 'public_holidays = "closed"' in text
    r = post_form(s, ehub, "/editor/services/piscine?file=services.toml",
                  {"name__fr": "Piscine", "hours_mode": "osm", "hours_osm": "Mo-Fr 08:30-12:00; PH off"})
    assert r.status_code == 302, errors_of(r.text)
    text = (src / "kiosk" / "services.toml").read_text()
    assert 'opening_hours = "Mo-Fr 08:30-12:00; PH off"' in text and "weekly" not in text


def test_an_alert_for_some_screens_reaches_only_those(ehub: Hub) -> None:
    import json

    src = ehub.settings.content_dir
    assert src is not None
    for device in ("totem-1", "totem-2"):
        ehub.enrol(device)
    p = ehub.login("paul")
    page = p.get(f"{ehub.url}/editor/alert/", timeout=10).text
    assert 'name="screens" value="totem-1"' in page and 'name="screens" value="totem-2"' in page
    end = local(ehub.clock().astimezone(PARIS) + timedelta(hours=2))
    r = post_form(p, ehub, "/editor/alert/new", {"title__fr": "Gymnase fermé", "severity": "warning", "alert": "banner",
                                                 "valid_until": end, "screens": ["totem-1"], "publish": "1"},
                  digest="absent")
    assert r.status_code == 302, errors_of(r.text)
    assert 'gymnase-ferme = ["totem-1"]' in (src / "screens.toml").read_text()
    assert "screens" not in (src / "bulletins" / "alerts.toml").read_text()  # the folder's document stays the API's

    def manifest(device: str) -> tuple[dict, str]:
        r = requests.get(f"{ehub.url}/v1/devices/{device}/manifest.json", headers=ehub.auth(device), timeout=10)
        assert r.status_code == 200
        return r.json(), r.headers["ETag"]

    shared = requests.get(f"{ehub.url}/v1/manifest.json", headers=ehub.auth("totem-1"), timeout=10)
    one, etag_one = manifest("totem-1")
    two, etag_two = manifest("totem-2")
    assert "gymnase-ferme" in {b["id"] for b in one["bulletins"]} and etag_one == shared.headers["ETag"]
    assert "gymnase-ferme" not in {b["id"] for b in two["bulletins"]}
    assert two["version"].startswith(one["version"] + "-s") and etag_two != etag_one
    again = requests.get(f"{ehub.url}/v1/devices/totem-2/manifest.json", timeout=10,
                         headers={**ehub.auth("totem-2"), "If-None-Match": etag_two})
    assert again.status_code == 304
    from sync import parse_manifest

    parse_manifest(json.dumps(two).encode(), "totem-2")  # what the device validates
    # every screen again: the line goes, both get the shared manifest
    r = post_form(p, ehub, "/editor/alert/gymnase-ferme?file=alerts.toml",
                  {"title__fr": "Gymnase fermé", "severity": "warning", "alert": "banner", "valid_until": end})
    assert r.status_code == 302, errors_of(r.text)
    assert "gymnase-ferme" not in (src / "screens.toml").read_text()
    assert manifest("totem-2")[1] == shared.headers["ETag"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_sites_holidays_and_default_loop(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    s = ehub.login("claire")
    r = post_form(s, ehub, "/editor/site", {"name__fr": "Testville", "name__en": "Testville",
                                            "default_playlist": "lobby", "holidays": "2027-12-25 Noël\n2027-13-01 x"})
    assert r.status_code == 400 and "« 2027-13-01 » n&#39;est pas une date" in r.text
    r = post_form(s, ehub, "/editor/site", {"name__fr": "Testville", "name__en": "Testville",
                                            "default_playlist": "lobby", "holidays": "2027-12-25 Noël\n2028-01-01"})
    assert r.status_code == 302, errors_of(r.text)
    text = (src / "site.toml").read_text()
    assert 'holidays = [{date = 2027-12-25, label = {fr = "Noël"}}, {date = 2028-01-01}]' in text
    assert text.startswith("[site]\nid = \"testville\"")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_proposed_change_whose_document_changed_by_hand_shows_both_before_approval(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    add_election(src, ehub.clock().astimezone(PARIS).date())
    s = ehub.login("claire")
    r = post_form(s, ehub, "/editor/bulletin/works?file=news.toml", {
        "title__fr": "Travaux rue Haute", "body__fr": "Proposé : fin le 20.", "category": "works",
        "severity": "warning", "loops": "lobby"})
    assert r.status_code == 302, errors_of(r.text)
    news = src / "bulletins" / "news.toml"
    news.write_text(news.read_text().replace("Circulation alternée.", "Édité à la main."))
    with ehub.db.session() as db:
        change_id = db.scalars(select(ContentChange.id)).one()
    p = ehub.login("paul")
    token = csrf(p, f"{ehub.url}/editor/changes")
    r = p.post(f"{ehub.url}/editor/changes/{change_id}/approve", data={"csrf_token": token}, timeout=30)
    assert r.status_code == 409 and "Édité à la main." in r.text and "Proposé : fin le 20." in r.text
    assert "Édité à la main." in news.read_text()  # nothing written
    r = p.post(f"{ehub.url}/editor/changes/{change_id}/approve", data={"csrf_token": token, "force": "1"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 302 and "Proposé : fin le 20." in news.read_text()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_poster_with_one_file_per_orientation_and_its_look(ehub: Hub) -> None:
    src = ehub.settings.content_dir
    assert src is not None
    s = ehub.login("claire")
    r = post_form(s, ehub, "/editor/poster/new", {
        "playlist": "lobby", "new_id": "marche", "caption__fr": "Marché de Noël", "valid_until": "2030-01-01T00:00",
        "fit": "cover", "focus": "0.5, 0.25", "caption_position": "over"}, digest="absent", files={
        "file": ("paysage.jpg", io.BytesIO(editor_media.jpeg((1600, 900))), "image/jpeg"),
        "file_portrait": ("portrait.jpg", io.BytesIO(editor_media.jpeg((900, 1600), (200, 60, 20))), "image/jpeg")})
    assert r.status_code == 302, errors_of(r.text)
    text = (src / "playlists" / "lobby.toml").read_text()
    item = text.split('id = "marche"')[1]
    assert 'file = "media/editor/' in item and 'file_portrait = "media/editor/' in item
    assert 'fit = "cover"' in item and "focus = {x = 0.5, y = 0.25}" in item and 'caption_position = "over"' in item
    r = post_form(s, ehub, "/editor/poster/marche?file=lobby.toml", {"file_keep": "media/img0.png", "focus": "2, 0.3",
                                                                     "accept_warnings": "1"})
    assert r.status_code == 400 and "entre 0 et 1" in r.text

"""Each kind reads its real format into the values a kiosk page or an alert shows."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.publisher import publish
from hub.sources import SourceResult, SourcesRun

from .server import FIXTURES, SourceServer
from .town import NOW, OPENAGENDA_KEY, write_town


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SourceServer]:
    monkeypatch.setenv("KIOSK_TEST_OPENAGENDA_KEY", OPENAGENDA_KEY)
    srv = SourceServer()
    yield srv
    srv.stop()


def _result(tmp_path: Path, server: SourceServer, kind: str, extra: str = "",
            now: datetime = NOW) -> SourceResult:
    src = write_town(tmp_path, server, (kind,))
    if extra:
        with (src / "sources.toml").open("a") as f:
            f.write(extra)
    run = SourcesRun(src, tmp_path / "state", now=now)
    run.fetch()
    [o] = run.outcomes
    assert o.ok, o.message
    assert o.result is not None
    return o.result


def _by_title(docs: tuple[dict[str, Any], ...], key: str = "title") -> dict[str, dict[str, Any]]:
    return {d[key]["fr"]: d for d in docs}


def test_wordpress_rss_gives_news_pages_ticker_bulletins_and_a_poster(tmp_path: Path, server: SourceServer) -> None:
    r = _result(tmp_path, server, "rss")
    news = _by_title(r.documents["news"])
    works = news["Travaux rue Haute : circulation alternée jusqu’au 4 décembre"]
    assert works["date"] == "2026-11-25"
    assert works["url"] == "https://www.valbruyere.example/2026/11/25/travaux-rue-haute/"
    assert works["summary"]["fr"].startswith("Le renouvellement du réseau d’eau potable impose une circulation")
    body = works["body"]["fr"]
    assert "• du lundi au vendredi, de 8 h à 17 h ;" in body and "tracking" not in body and "<" not in body
    assert works["tags"] == ["actualite"]
    assert works["source"] == {"name": "Ville de Valbruyère",
                               "url": "https://www.valbruyere.example/2026/11/25/travaux-rue-haute/",
                               "date": "2026-11-25"}
    jpeg = (FIXTURES / "travaux-rue-haute.jpg").read_bytes()
    assert works["image"] == hashlib.sha256(jpeg).hexdigest()
    assert [m.sha256 for m in r.media] == [works["image"]]
    assert "image" not in news["Marché de Noël : 40 exposants les 28 et 29 novembre"]
    [ticker] = [b for b in r.bulletins if b["id"] == works["id"]]
    assert ticker["valid_from"] == "2026-11-25T16:12:08Z" and ticker["valid_until"] == "2026-12-02T16:12:08Z"
    assert ticker["severity"] == "info" and ticker["category"] == "info"
    [(playlist, poster)] = r.items
    assert playlist == "lobby" and poster["media"] == works["image"] and poster["caption"] == works["title"]


def test_drupal_atom_entries_become_news_pages(tmp_path: Path, server: SourceServer) -> None:
    r = _result(tmp_path, server, "atom")
    news = _by_title(r.documents["news"])
    waste = news["Collecte des déchets : nouveaux jours à partir du 1er décembre"]
    assert waste["summary"]["fr"] == "Les bacs jaunes seront collectés le mardi et les ordures ménagères le vendredi."
    assert waste["body"]["fr"].endswith("Sortez vos bacs la veille au soir.")
    assert waste["date"] == "2026-11-24"
    assert waste["source"]["name"] == "Communauté de communes du Val de Bruyère - Actualités"


def test_ics_expands_recurrences_exdates_a_moved_occurrence_all_day_and_cancelled(tmp_path: Path,
                                                                                  server: SourceServer) -> None:
    events = _result(tmp_path, server, "ics").documents["events"]
    market = [e for e in events if e["title"]["fr"].startswith("Marché du samedi")]
    starts = [e["start"] for e in market]
    assert starts[:4] == ["2026-11-29T09:30:00+01:00", "2026-12-05T10:00:00+01:00",
                          "2026-12-12T10:00:00+01:00", "2026-12-26T10:00:00+01:00"]  # 19 Dec: EXDATE
    moved = market[0]
    assert moved["title"]["fr"] == "Marché du samedi (déplacé au dimanche)" and moved["place"]["fr"] == "Place de l'Église"
    assert market[1]["description"]["fr"] == "Producteurs locaux, fromages et primeurs.\nEntrée libre."
    assert market[1]["end"] == "2026-12-05T12:30:00+01:00"
    titles = _by_title(events)
    assert titles["Fête des lumières"]["all_day"] is True
    assert (titles["Fête des lumières"]["start"], titles["Fête des lumières"]["end"]) == (
        "2026-12-08T00:00:00+01:00", "2026-12-09T00:00:00+01:00")
    assert titles["Conférence : le climat en Limousin"]["status"] == "cancelled"
    assert titles["Loto du comité des fêtes"]["start"] == "2026-12-05T20:00:00+01:00"  # UTC shown in Paris time
    assert titles["Marché du samedi"]["source"]["name"] == "Agenda de Valbruyère"
    # A moved occurrence keeps the id it has in the series: the next fetch, moved or not, says the same.
    assert len({e["id"] for e in events}) == len(events)


def test_ics_weekly_event_stays_at_ten_local_across_both_dst_changes(tmp_path: Path, server: SourceServer) -> None:
    for now, change in ((datetime.fromisoformat("2027-03-01T09:00:00+01:00"), "2027-03-28"),
                        (datetime.fromisoformat("2026-10-01T09:00:00+02:00"), "2026-10-25")):
        run_dir = tmp_path / change
        events = _result(run_dir, server, "ics", now=now).documents["events"]
        saturdays = [datetime.fromisoformat(e["start"]) for e in events if e["title"]["fr"] == "Marché du samedi"]
        before = [s for s in saturdays if s.date().isoformat() < change]
        after = [s for s in saturdays if s.date().isoformat() > change]
        assert before and after
        assert all((s.hour, s.minute) == (10, 0) for s in saturdays)
        offsets = {s.utcoffset() for s in before}, {s.utcoffset() for s in after}
        spring = change.startswith("2027")
        assert offsets == (({timedelta(hours=1)}, {timedelta(hours=2)}) if spring
                           else ({timedelta(hours=2)}, {timedelta(hours=1)}))
        # Ten local is 9:00 UTC in winter and 8:00 UTC in summer: the instants moved, the hour did not.
        assert {s.astimezone().utcoffset() is not None for s in saturdays} == {True}


def test_openagenda_follows_the_cursor_with_the_key_and_shows_statuses(tmp_path: Path, server: SourceServer) -> None:
    r = _result(tmp_path, server, "openagenda")
    hits = server.take_hits()
    api = [h for h in hits if h.path.startswith("/v2/")]
    assert len(api) == 3 and all(h.headers.get("key") == OPENAGENDA_KEY for h in api)
    assert "size=1" in api[0].query and "after%5B%5D=1764610800000" in api[2].query
    events = r.documents["events"]
    assert len(events) == 5  # four events, the workshop twice
    by = _by_title(events)
    concert = by["Concert de l'Harmonie"]
    assert concert["start"] == "2026-11-28T20:30:00+01:00" and concert["end"] == "2026-11-28T22:30:00+01:00"
    assert concert["place"]["fr"] == "Église Saint-Martin, Place de l'Église, Valbruyère"
    assert concert["url"] == "https://openagenda.com/agendas/12345678/events/concert-de-l-harmonie"
    assert concert["image"] == hashlib.sha256((FIXTURES / "openagenda-concert.jpg").read_bytes()).hexdigest()
    assert concert["source"] == {"name": "OpenAgenda", "url": concert["url"], "date": "2026-11-24"}
    assert "Tarif" in concert["description"]["fr"]
    statuses = {e["title"]["fr"]: e.get("status") for e in events}
    assert statuses == {"Concert de l'Harmonie": None, "Atelier numérique : premiers pas sur tablette": "full",
                        "Spectacle de Noël des écoles": "postponed", "Bourse aux jouets": "cancelled"}


def test_openagenda_unchanged_costs_one_conditional_request(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("openagenda",))
    SourcesRun(src, tmp_path / "state", now=NOW).fetch()
    server.take_hits()
    run = SourcesRun(src, tmp_path / "state", now=NOW)
    run.fetch()
    [hit] = [h for h in server.take_hits() if h.path.startswith("/v2/")]
    assert hit.conditional and hit.status == 304 and "size=1" in hit.query


def test_openagenda_without_its_key_says_so(tmp_path: Path, server: SourceServer,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_TEST_OPENAGENDA_KEY")
    src = write_town(tmp_path, server, ("openagenda",))
    run = SourcesRun(src, tmp_path / "state", now=NOW)
    run.fetch()
    assert run.stale[0].message == "key_env: the environment variable KIOSK_TEST_OPENAGENDA_KEY is not set"
    monkeypatch.setenv("KIOSK_TEST_OPENAGENDA_KEY", "wrong")
    run = SourcesRun(src, tmp_path / "state", now=NOW)
    run.fetch()
    assert run.stale[0].message == "HTTP 403 Forbidden (check the source's key or token)"


def test_annuaire_record_gives_a_service_with_hours_from_plage_ouverture(tmp_path: Path,
                                                                         server: SourceServer) -> None:
    r = _result(tmp_path, server, "annuaire")
    services = _by_title(r.documents["services"], "name")
    assert set(services) == {"Mairie - Valbruyère", "Caisse primaire d'assurance maladie (CPAM) - accueil de Valbruyère"}
    town_hall = services["Mairie - Valbruyère"]
    assert town_hall["address"] == "1 place de la Mairie, 87000 Valbruyère"
    assert town_hall["phone"] == "05 55 00 00 00" and town_hall["url"] == "https://www.valbruyere.example"
    slots = [["08:30", "12:00"], ["13:30", "17:30"]]
    assert town_hall["hours"] == {"weekly": {"mon": slots, "tue": slots, "wed": slots, "thu": slots, "fri": slots,
                                             "sat": [["09:00", "12:00"]]}}
    assert town_hall["description"]["fr"] == "Permanence état civil uniquement"
    assert town_hall["source"] == {
        "name": "Annuaire de l'administration (service-public.fr)",
        "url": "https://lannuaire.service-public.fr/nouvelle-aquitaine/haute-vienne/d5a1b2c3-0001-4b8e-9f00-87085mairie",
        "date": "2026-10-14", "licence": "Licence Ouverte / Etalab 2.0"}
    cpam = services["Caisse primaire d'assurance maladie (CPAM) - accueil de Valbruyère"]
    assert cpam["address"] == "Espace France services, 10 avenue des Tilleuls, 87000 Valbruyère"
    assert cpam["description"]["fr"] == "Uniquement sur rendez-vous au 36 46"
    assert "url" not in cpam


@pytest.mark.parametrize("fixture", ["menus-scdl-1.2.csv", "menus-scdl-1.2.1.csv"])
def test_scdl_menus_in_both_spellings_give_the_same_week(tmp_path: Path, server: SourceServer, fixture: str) -> None:
    src = write_town(tmp_path, server, ("scdl-menus",))
    server.serve("/menus/menus-scdl-1.2.1.csv", fixture, "text/csv; charset=utf-8")
    run = SourcesRun(src, tmp_path / "state", now=NOW)
    run.fetch()
    [menu] = run.outcomes[0].result.documents["menus"]  # type: ignore[union-attr]
    assert menu["name"] == {"fr": "École Jules Ferry"}
    assert [d["date"] for d in menu["days"]] == ["2026-11-23", "2026-11-26", "2026-11-27"]
    thursday = {c["dish"]["fr"]: c for c in menu["days"][1]["courses"]}
    assert [c["course"] for c in menu["days"][1]["courses"]] == ["starter", "main", "cheese", "dessert"]
    assert thursday["Lasagnes aux légumes"]["labels"] == ["vegetarian"]
    assert thursday["Lasagnes aux légumes"]["allergens"] == ["gluten", "lait", "oeufs"]
    assert thursday["Compote maison"]["labels"] == ["homemade"]
    monday = {c["dish"]["fr"]: c for c in menu["days"][0]["courses"]}
    assert monday["Carottes râpées au citron"]["labels"] == ["organic"]
    assert monday["Pomme du verger"]["labels"] == ["local"]
    assert monday["Hachis parmentier"]["allergens"] == ["lait", "céleri"]
    assert menu["source"] == {"name": "Ville de Valbruyère", "date": "2026-11-20"}


def test_scdl_menus_afternoon_snack_is_its_own_menu_when_asked(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("scdl-menus",))
    text = (src / "sources.toml").read_text().replace('kind = "scdl-menus"', 'kind = "scdl-menus"\nmeals = ["déjeuner", "goûter"]')
    (src / "sources.toml").write_text(text)
    run = SourcesRun(src, tmp_path / "state", now=NOW)
    run.fetch()
    menus = _by_title(run.outcomes[0].result.documents["menus"], "name")  # type: ignore[union-attr]
    snack = menus["École Jules Ferry — goûter"]
    assert snack["days"] == [{"date": "2026-11-26", "courses": [
        {"course": "snack", "dish": {"fr": "Pain au chocolat"}, "allergens": ["gluten", "lait"]}]}]


def test_meteoalarm_atom_gives_the_towns_cap_warning_as_a_banner_until_it_expires(tmp_path: Path,
                                                                                  server: SourceServer) -> None:
    r = _result(tmp_path, server, "cap")
    [b] = r.bulletins  # Gironde's yellow rain is elsewhere (geocode) and below min_severity
    assert b["severity"] == "warning" and b["alert"] == "banner" and b["category"] == "alert"
    assert b["title"] == {"fr": "Vigilance orange vent violent : Haute-Vienne", "en": "Orange wind warning: Haute-Vienne"}
    assert b["valid_from"] == "2026-11-26T05:45:00Z" and b["valid_until"] == "2026-11-27T06:00:00Z"
    assert b["body"]["fr"] == ("Un épisode de vent fort est attendu à partir de jeudi 10h, avec des rafales de 100 à "
                               "110 km/h.\n\nLimitez vos déplacements. Ne vous promenez pas en forêt.\n\nSource : Météo-France")


def test_a_cap_cancel_withdraws_the_alert(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ())
    url = server.serve("/cap/alert.xml", "cap-87-wind.xml", "application/cap+xml")
    (src / "sources.toml").write_text(f'[[source]]\nid = "cap"\nkind = "cap"\nurl = "{url}"\n')
    first = publish(src, tmp_path / "tree", NOW, sources=SourcesRun(src, tmp_path / "state", now=NOW))
    assert any(b["category"] == "alert" for b in _manifest(first)["bulletins"])
    cancel = (FIXTURES / "cap-87-wind.xml").read_text().replace(
        "<identifier>2.49.0.0.250.0.FR.20261126064500.87.wind</identifier>",
        "<identifier>2.49.0.0.250.0.FR.20261126120000.87.wind</identifier>").replace(
        "<msgType>Alert</msgType>", "<msgType>Cancel</msgType>\n  <references>vigilance@meteo.fr,"
        "2.49.0.0.250.0.FR.20261126064500.87.wind,2026-11-26T06:45:00+01:00</references>")
    server.serve("/cap/alert.xml", cancel.encode(), "application/cap+xml")
    second = publish(src, tmp_path / "tree", NOW, sources=SourcesRun(src, tmp_path / "state", now=NOW))
    assert second.changed and not [b for b in _manifest(second)["bulletins"] if b["category"] == "alert"]


def _manifest(r: Any) -> dict[str, Any]:
    import json

    return json.loads(r.manifest_path.read_bytes())


def test_vigilance_red_is_a_fullscreen_alert_orange_a_banner_and_green_withdraws_it(tmp_path: Path,
                                                                                   server: SourceServer) -> None:
    r = _result(tmp_path, server, "meteofrance-vigilance")
    by = {b["title"]["fr"]: b for b in r.bulletins}
    assert set(by) == {"Vigilance rouge : vent violent", "Vigilance orange : pluie-inondation"}
    wind = by["Vigilance rouge : vent violent"]
    assert wind["severity"] == "critical" and wind["alert"] == "fullscreen"
    assert wind["title"]["en"] == "Red weather warning: strong wind"
    assert (wind["valid_from"], wind["valid_until"]) == ("2026-11-26T09:00:00Z", "2026-11-26T23:00:00Z")
    assert wind["body"]["fr"].endswith("Source : Météo-France, vigilance du 26/11/2026 06:00.")  # town time
    rain = by["Vigilance orange : pluie-inondation"]
    assert rain["severity"] == "warning" and rain["alert"] == "banner"
    assert (rain["valid_from"], rain["valid_until"]) == ("2026-11-26T05:00:00Z", "2026-11-26T23:00:00Z")
    # Météo-France lowers the wind to yellow: its alert is withdrawn by the next publish.
    calmer = (FIXTURES / "vigilance-encours.json").read_text().replace(
        '"phenomenon_id": "1", "phenomenon_max_color_id": 4', '"phenomenon_id": "1", "phenomenon_max_color_id": 2')
    server.serve("/public/DPVigilance/v1/cartevigilance/encours", calmer.encode(), "application/json")
    src = tmp_path / "contenu"
    run = SourcesRun(src, tmp_path / "state", now=NOW)
    run.fetch()
    assert [b["title"]["fr"] for b in run.outcomes[0].result.bulletins] == ["Vigilance orange : pluie-inondation"]  # type: ignore[union-attr]
    assert run.changed


def test_vigicrues_orange_section_is_a_banner_on_a_stable_twelve_hour_window(tmp_path: Path,
                                                                            server: SourceServer) -> None:
    r = _result(tmp_path, server, "vigicrues")
    [b] = r.bulletins  # LO8 is yellow: below min_level
    assert b["title"] == {"fr": "Vigilance crues orange : Vienne amont", "en": "Orange flood warning: Vienne amont"}
    assert b["severity"] == "warning" and b["alert"] == "banner"
    assert (b["valid_from"], b["valid_until"]) == ("2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z")
    # An hour later the same data gives the same bulletin (no new version per run) …
    later = _result(tmp_path / "later", server, "vigicrues", now=NOW + timedelta(hours=4))
    assert later.bulletins == r.bulletins
    # … and after noon UTC the window moves on by twelve hours.
    after_noon = _result(tmp_path / "noon", server, "vigicrues", now=NOW + timedelta(hours=6))
    assert after_noon.bulletins[0]["valid_until"] == "2026-11-27T12:00:00Z"


def test_open_meteo_gives_the_forecast_from_today_in_four_languages(tmp_path: Path, server: SourceServer) -> None:
    r = _result(tmp_path, server, "open-meteo")
    days = r.documents["forecast"]
    # 25 November is yesterday for NOW (26 November, 08:00 in Valbruyère): left out.
    assert [d["date"] for d in days] == ["2026-11-26", "2026-11-27", "2026-11-28"]
    today = days[0]
    assert today["summary"] == {"fr": "Pluie", "en": "Rain", "es": "Lluvia", "de": "Regen"}  # WMO 63
    assert (today["low"], today["high"]) == (4, 9)  # 3.5 and 8.6 °C, to the degree
    assert (days[1]["low"], days[1]["high"], days[1]["summary"]["fr"]) == (-1, 7, "Éclaircies")
    assert days[2]["summary"]["en"] == "Snow"
    assert len({d["id"] for d in days}) == 3 and all(d["id"].startswith("open-meteo-") for d in days)
    # What was asked: the coordinates, the daily columns in °C, the local days, three of them.
    [hit] = [h for h in server.hits if h.path == "/v1/forecast"]
    for part in ("latitude=45.8400", "longitude=1.2600", "temperature_unit=celsius", "timezone=auto",
                 "forecast_days=3", "daily=weather_code%2Ctemperature_2m_max%2Ctemperature_2m_min"):
        assert part in hit.query, hit.query


def test_open_meteo_in_fahrenheit_or_with_an_unknown_code_is_said(tmp_path: Path, server: SourceServer) -> None:
    import json

    from hub.sources import Context, Payload
    from hub.sources.weather import OpenMeteoSource

    raw = json.loads((FIXTURES / "open-meteo-forecast.json").read_text())
    spec = SourcesRun(write_town(tmp_path, server, ("open-meteo",)), tmp_path / "state").config.sources[0]
    from zoneinfo import ZoneInfo

    ctx = Context(now=NOW, tz=ZoneInfo("Europe/Paris"), languages=("fr", "en"))
    raw["daily"]["weather_code"][2] = 42  # no such WMO code
    r = OpenMeteoSource(spec).parse(Payload(json.dumps(raw).encode(), False), ctx, None)  # type: ignore[arg-type]
    assert [d["date"] for d in r.documents["forecast"]] == ["2026-11-26", "2026-11-28"]
    assert r.warnings == ("unknown WMO weather code(s) 42: those days are left out",)
    raw["daily_units"]["temperature_2m_max"] = "°F"
    with pytest.raises(Exception, match="temperatures in °F; expected °C"):
        OpenMeteoSource(spec).parse(Payload(json.dumps(raw).encode(), False), ctx, None)  # type: ignore[arg-type]


def test_open_meteo_forecast_is_published_for_the_side_zone(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("open-meteo",))
    r = publish(src, tmp_path / "tree", NOW, sources=SourcesRun(src, tmp_path / "state", now=NOW))
    import json

    manifest = json.loads((tmp_path / "tree" / "v1" / "manifest.json").read_bytes())
    forecast = manifest["kiosk"]["forecast"]
    assert forecast[0]["date"] == "2026-11-26" and forecast[0]["summary"]["fr"] == "Pluie", forecast
    assert r.changed

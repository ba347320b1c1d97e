"""Play log and reports on a generated log that spans a reserve period's start: real
SQLite files, the real `kiosk report` command, CSV read back as a spreadsheet would."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from content_cache.playlog import ElectionRecord, PlayLog, PlayRecord, WithheldRecord
from kiosk.app.proof_of_play import ProofOfPlay
from kiosk.cli import main
from kiosk.device.reports import neutrality_csv, neutrality_report, plays_csv, plays_report
from player.neutrality import Election, ReservePeriod, Withheld

PARIS = ZoneInfo("Europe/Paris")
MUNICIPALES = Election("Municipales 2026", date(2026, 3, 15), date(2026, 3, 22))  # period from Mon 1 Sep 2025
PRESIDENTIELLE = Election("Présidentielle 2027", date(2027, 4, 11), date(2027, 4, 25))  # from Thu 1 Oct 2026


def _day_plays(day: date) -> list[PlayRecord]:
    """Each day: the pool poster 10 times (8 s), the concert 5 times (10 s); the mayor's
    record 3 times (12 s) — until the reserve period starts on 1 September 2025."""
    out = []
    for n in range(10):
        out.append(PlayRecord("piscine", "image", datetime(day.year, day.month, day.day, 8 + n, 0, tzinfo=PARIS),
                              8.0, "v1", "Horaires piscine", "sport", ()))
    for n in range(5):
        out.append(PlayRecord("concert", "video", datetime(day.year, day.month, day.day, 9 + n, 30, tzinfo=PARIS),
                              10.0, "v1", "Concert du 14", "culture", ("culture",)))
    if day < date(2025, 9, 1):
        for n in range(3):
            out.append(PlayRecord("bilan-mandat", "image",
                                  datetime(day.year, day.month, day.day, 12 + n, 15, tzinfo=PARIS),
                                  12.0, "v1", "Bilan du mandat", None, ("bilan",)))
    return out


@pytest.fixture()
def play_log(tmp_path: Path) -> PlayLog:
    log = PlayLog.in_data_dir(tmp_path)
    day = date(2025, 8, 18)  # a Monday: two full weeks before the period, then five during
    while day <= date(2025, 10, 5):
        log.add_plays(_day_plays(day))
        day += timedelta(days=1)
    log.note_withheld([WithheldRecord("v1", "signage", "bilan-mandat", "tag", "bilan",
                                      datetime(2025, 9, 1, tzinfo=PARIS), datetime(2025, 10, 5, 23, tzinfo=PARIS),
                                      "Bilan du mandat", None, ("bilan",), "Municipales 2026"),
                       WithheldRecord("v1", "services", "permanence-liste", "link", "liste-avenir.fr",
                                      datetime(2025, 9, 3, 10, tzinfo=PARIS), datetime(2025, 9, 3, 10, tzinfo=PARIS),
                                      "Permanence", "services", (), "Municipales 2026")])
    log.note_elections([ElectionRecord(MUNICIPALES.name, MUNICIPALES.first_round, MUNICIPALES.last_round)],
                       datetime(2025, 8, 18, tzinfo=UTC))
    yield log
    log.close()


def test_plays_report_counts_each_item_between_two_local_days_inclusive(play_log: PlayLog) -> None:
    items = {r.item_id: r for r in plays_report(play_log, PARIS, date(2025, 8, 25), date(2025, 9, 7))}
    assert items["piscine"].times_shown == 14 * 10
    assert items["piscine"].seconds == 14 * 10 * 8.0
    assert items["concert"].tags == ("culture",)
    assert items["bilan-mandat"].times_shown == 7 * 3  # 25–31 August only
    assert items["bilan-mandat"].first_shown == datetime(2025, 8, 25, 12, 15, tzinfo=PARIS)
    assert items["bilan-mandat"].last_shown == datetime(2025, 8, 31, 14, 15, tzinfo=PARIS)
    assert items["piscine"].last_shown == datetime(2025, 9, 7, 17, 0, tzinfo=PARIS)  # the last day is included


def test_plays_csv_in_french_reads_back_in_a_spreadsheet(play_log: PlayLog) -> None:
    text = plays_csv(plays_report(play_log, PARIS, date(2025, 8, 25), date(2025, 8, 31)), "fr")
    assert text.startswith("\ufeff")  # spreadsheets then read the accents right
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["Élément", "Libellé", "Type", "Catégorie", "Étiquettes", "Nombre de diffusions",
                       "Première diffusion", "Dernière diffusion", "Durée totale (s)", "Durée totale"]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["bilan-mandat"] == ["bilan-mandat", "Bilan du mandat", "image", "sans catégorie", "bilan", "21",
                                     "2025-08-25 12:15:00", "2025-08-31 14:15:00", "252", "0:04:12"]
    assert by_id["concert"][2:4] == ["vidéo", "Culture"]
    english = plays_csv(plays_report(play_log, PARIS, date(2025, 8, 25), date(2025, 8, 31)), "en")
    assert english.splitlines()[0] == ("\ufeffItem,Label,Kind,Category,Tags,Times shown,First shown,Last shown,"
                                       "Total duration (s),Total duration")


def test_neutrality_report_shows_withheld_shown_and_weekly_regularity(play_log: PlayLog) -> None:
    now = datetime(2025, 10, 6, 9, tzinfo=PARIS)
    report = neutrality_report(play_log, MUNICIPALES, PARIS, now)
    assert report.start == datetime(2025, 9, 1, tzinfo=PARIS)
    assert [(w.item_id, w.reason, w.detail) for w in report.withheld] == [
        ("bilan-mandat", "tag", "bilan"), ("permanence-liste", "link", "liste-avenir.fr")]
    shown = {r.item_id: r.times_shown for r in report.shown}
    assert shown == {"piscine": 35 * 10, "concert": 35 * 5}  # 1 Sep – 5 Oct; the record never played
    weekly = {(w.week, w.phase, w.category): w.times_shown for w in report.weekly}
    # two weeks before (the period starts on a Monday: no split week), five during
    weeks = sorted({(w.week, w.phase) for w in report.weekly})
    assert weeks[:3] == [(date(2025, 8, 18), "before"), (date(2025, 8, 25), "before"), (date(2025, 9, 1), "during")]
    assert len(weeks) == 7
    assert weekly[(date(2025, 8, 25), "before", "sport")] == 70
    assert weekly[(date(2025, 9, 29), "during", "sport")] == 70  # the same rhythm during the period
    assert weekly[(date(2025, 8, 25), "before", "uncategorised")] == 21
    assert weekly[(date(2025, 9, 1), "during", "uncategorised")] == 0  # zeros are kept: the gap shows


def test_a_period_starting_midweek_splits_that_week_before_and_during(tmp_path: Path) -> None:
    log = PlayLog(tmp_path / "p.sqlite")
    day = date(2026, 9, 21)
    while day <= date(2026, 10, 11):
        log.add_plays(_day_plays(day))
        day += timedelta(days=1)
    report = neutrality_report(log, PRESIDENTIELLE, PARIS, datetime(2026, 10, 12, tzinfo=PARIS))
    weekly = {(w.week, w.phase, w.category): w.times_shown for w in report.weekly}
    assert weekly[(date(2026, 9, 28), "before", "sport")] == 30  # Mon–Wed
    assert weekly[(date(2026, 9, 28), "during", "sport")] == 40  # Thu 1 Oct – Sun
    tables = neutrality_csv(report, "fr")
    rows = list(csv.reader(io.StringIO(tables["weekly"][1:]), delimiter=";"))
    assert rows[0] == ["Semaine du", "Période", "Catégorie", "Nombre de diffusions", "Durée totale (s)"]
    assert ["2026-09-28", "avant la période de réserve", "Sport", "30", "240"] in rows
    assert ["2026-09-28", "pendant la période de réserve", "Sport", "40", "320"] in rows
    log.close()


def test_retention_drops_only_what_is_older_than_the_limit(play_log: PlayLog) -> None:
    now = datetime(2026, 9, 25, tzinfo=PARIS)  # 400 days after 21 August 2025
    removed = play_log.prune(now, 400)
    first = play_log.first_play()
    assert first is not None and first.astimezone(PARIS).date() == date(2025, 8, 21)
    assert removed == 3 * 18  # 18, 19 and 20 August, 18 plays each
    assert play_log.withheld()  # withheld notes last seen in October are kept


def test_report_command_writes_three_french_tables_and_json(play_log: PlayLog, tmp_path: Path, capsys) -> None:
    out = tmp_path / "rapport"
    code = main(["report", "neutrality", "--data", str(tmp_path), "--election", "municipales-2026",
                 "--format", "csv", "--out", str(out), "--now", "2025-10-06T09:00:00+02:00"])
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["neutralite-municipales-2026-diffuses.csv", "neutralite-municipales-2026-hebdomadaire.csv",
                     "neutralite-municipales-2026-retenus.csv"]
    withheld = list(csv.reader(io.StringIO((out / names[2]).read_text("utf-8-sig")), delimiter=";"))
    assert withheld[1][:5] == ["bilan-mandat", "boucle de l'écran", "Bilan du mandat", "étiquette retenue", "bilan"]
    assert withheld[2][1] == "borne : services" and withheld[2][3] == "lien hors des domaines autorisés"
    capsys.readouterr()
    assert main(["report", "neutrality", "--data", str(tmp_path), "--election", "Municipales 2026",
                 "--format", "json", "--now", "2025-10-06T09:00:00+02:00"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["reserve_period"] == {"from": "2025-09-01", "until": "2026-03-22", "timezone": "Europe/Paris"}
    assert [w["item"] for w in doc["withheld"]] == ["bilan-mandat", "permanence-liste"]


def test_report_command_errors_are_one_line(play_log: PlayLog, tmp_path: Path, capsys) -> None:
    assert main(["report", "neutrality", "--data", str(tmp_path), "--election", "Régionales"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["kiosk: error: --election: no election named 'Régionales' (known: 'Municipales 2026')"]
    assert main(["report", "neutrality", "--data", str(tmp_path), "--election", "Municipales 2026"]) == 2
    assert capsys.readouterr().err.strip() == ("kiosk: error: --format csv writes three tables: give --out FOLDER "
                                              "(or use --format json)")
    assert main(["report", "plays", "--data", str(tmp_path / "empty")]) == 2
    assert "no play log" in capsys.readouterr().err


def test_proof_of_play_fills_the_play_log_and_notes_withheld_items_once(tmp_path: Path) -> None:
    from content_cache import ContentCache

    clock = [datetime(2025, 9, 2, 10, tzinfo=UTC)]
    with ContentCache(tmp_path / "cache") as cache:
        proof = ProofOfPlay(lambda: cache, lambda: clock[0], data_dir=tmp_path)
        assert proof.play_log is None  # opened by the first record (the player: after its first frame)
        proof.started("piscine", "image", "v1", label="Horaires", category="sport", tags={"b", "a"})
        proof.started("fallback", "fallback", "v1")  # ends the first; the fallback is not a play
        period = ReservePeriod((MUNICIPALES,), datetime(2025, 9, 1, tzinfo=PARIS), datetime(2026, 3, 23, tzinfo=PARIS))
        w = Withheld("bilan-mandat", "signage", "tag", "bilan", "Bilan", ("bilan",))
        proof.withheld("v1", period, [w])
        clock[0] += timedelta(minutes=5)
        proof.withheld("v1", period, [w])  # within ten minutes: not written again
        clock[0] += timedelta(minutes=6)
        proof.withheld("v1", period, [w])  # later: "still withheld at" moves on
        proof.elections((MUNICIPALES,))
        proof.close()
    log = PlayLog.in_data_dir(tmp_path)
    plays = log.plays()
    assert [(p.item_id, p.label, p.category, p.tags, p.content_version) for p in plays] == [
        ("piscine", "Horaires", "sport", ("a", "b"), "v1")]
    [held] = log.withheld()
    assert held.first_at == datetime(2025, 9, 2, 10, tzinfo=UTC)
    assert held.last_at == datetime(2025, 9, 2, 10, 11, tzinfo=UTC)
    assert held.elections == "Municipales 2026"
    assert [e.name for e in log.elections()] == ["Municipales 2026"]
    log.close()


def test_config_keeps_the_neutrality_section_raw_and_checks_the_retention(tmp_path: Path) -> None:
    from kiosk.config import ConfigError, load_config

    path = tmp_path / "kiosk.toml"
    path.write_text('[reports]\nretention_days = 500\n\n[[neutrality.elections]]\nname = "Partielle"\n'
                    'first_round = 2027-02-30\n', encoding="utf-8")
    with pytest.raises(ConfigError):  # TOML itself refuses 30 February: the file is unreadable
        load_config(path)
    path.write_text('[reports]\nretention_days = 500\n\n[[neutrality.elections]]\nname = "Partielle"\n'
                    'first_round = 2027-02-07\nlast_round = 2027-01-31\n', encoding="utf-8")
    cfg = load_config(path)  # a neutrality problem never stops the device: the player reports it
    assert cfg.reports.retention_days == 500
    from player.neutrality import parse_neutrality

    assert parse_neutrality(cfg.neutrality, where="config neutrality").problems == (
        "config neutrality.elections[0].last_round: 2027-01-31 is before first_round 2027-02-07; election ignored",)
    path.write_text("[reports]\nretention_days = 10\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert e.value.problems == ["reports.retention_days: 10 is out of range 30..3650"]

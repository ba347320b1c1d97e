"""Election-period neutrality end to end: the demo town's content published, served and
synced through the real CLI, headless players (subprocesses) at dates inside and outside
the reserve period, then `kiosk status` and `kiosk report` on the device's play log."""
from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

from hub.demo import demo_source_dir

from .device import run_kiosk, synced_device


def _shown(shots: Path) -> set[str]:
    """Item ids of the screenshots the player saved (NNN-item.png)."""
    return {re.sub(r"^\d+-", "", p.stem) for p in shots.glob("*.png")}


def _play(data: Path, shots: Path, *args: str, log: list[str] | None = None) -> set[str]:
    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots),
                  "--max-slide-seconds", "1", "--duration", "9", "--size", "640x360", *args)
    assert r.returncode == 0, r.stderr[-2000:]
    if log is not None:
        log += r.stderr.splitlines()
    return _shown(shots)


def test_the_demo_towns_record_poster_is_withheld_inside_the_reserve_period_only(tmp_path: Path) -> None:
    data = synced_device(tmp_path, demo_source_dir())
    # The demo town's election: Départementales 2028, first round 12 March 2028 → period from 1 September 2027.
    before = _play(data, tmp_path / "before", "--at", "2027-08-31T10:00")
    during = _play(data, tmp_path / "during", "--at", "2027-09-01T10:00")
    assert "poster-record" in before
    assert "poster-record" not in during
    assert {"poster-pool", "poster-market"} <= during  # the rest of the loop plays on
    # a preview at another date records nothing as played: no play log, nothing in the outbox
    assert not (data / "plays.sqlite").exists()
    r = run_kiosk("status", "--data", str(data), "--json")
    assert json.loads(r.stdout)["outbox"]["waiting"] == 0


def test_a_player_in_a_reserve_period_logs_what_it_withholds_and_the_reports_show_it(tmp_path: Path) -> None:
    src = tmp_path / "town"
    shutil.copytree(demo_source_dir(), src)
    first = date.today() + timedelta(days=100)  # its period started at least a month ago
    site = (src / "site.toml").read_text("utf-8")
    site = re.sub(r"first_round = \S+", f"first_round = {first.isoformat()}", site)
    site = re.sub(r"last_round = \S+", f"last_round = {(first + timedelta(days=7)).isoformat()}", site)
    (src / "site.toml").write_text(site, "utf-8")
    data = synced_device(tmp_path, src)

    log: list[str] = []
    shown = _play(data, tmp_path / "shots", "--mode", "hybrid", log=log)
    assert "poster-record" not in shown and "poster-pool" in shown
    # each withheld thing is logged once, with its reason, however often the loop comes round
    assert len([x for x in log if "item poster-record withheld: tag 'bilan'" in x]) == 1
    assert len([x for x in log if "kiosk page places/village-hall withheld: links to "
                "comite-des-fetes-valbruyere.example.org" in x]) == 1

    r = run_kiosk("status", "--data", str(data), "--json")
    assert r.returncode == 0, r.stderr
    n = json.loads(r.stdout)["neutrality"]
    assert n["in_force"] and n["elections"] == ["Départementales 2028"]
    assert n["until"] == (first + timedelta(days=7)).isoformat()
    assert set(n["withheld_now"]) == {"poster-record", "news/mid-term-record", "places/village-hall"}
    human = run_kiosk("status", "--data", str(data)).stdout
    assert f"reserve period in force (Départementales 2028) until {(first + timedelta(days=7)).isoformat()}" in human

    r = run_kiosk("report", "neutrality", "--data", str(data), "--election", "départementales 2028",
                  "--format", "json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    withheld = {(w["item"], w["shown_on"], w["reason"], w["detail"]) for w in report["withheld"]}
    assert withheld == {("poster-record", "signage", "tag", "bilan"),
                        ("mid-term-record", "news", "tag", "bilan"),
                        ("village-hall", "places", "link", "comite-des-fetes-valbruyere.example.org")}
    shown_ids = {i["item"] for i in report["shown_during_period"]}
    assert "poster-pool" in shown_ids and "poster-record" not in shown_ids
    assert sum(w["times_shown"] for w in report["weekly"]) == sum(i["times_shown"] for i in report["shown_during_period"])

    out = tmp_path / "rapport"
    r = run_kiosk("report", "neutrality", "--data", str(data), "--election", "Départementales 2028",
                  "--out", str(out))
    assert r.returncode == 0, r.stderr
    withheld_csv = (out / "neutralite-departementales-2028-retenus.csv").read_text("utf-8-sig")
    assert withheld_csv.splitlines()[0].startswith("Élément;Diffusé sur;Libellé;Motif;")
    assert "village-hall;borne : lieux;Salle des fêtes (Comité des fêtes);lien hors des domaines autorisés" in withheld_csv

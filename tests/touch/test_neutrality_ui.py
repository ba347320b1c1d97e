"""The touch kiosk during the demo town's election reserve period (from 1 September 2027):
pages linking outside the allowed domains and pages tagged "bilan" are not offered, no QR
code is made for them, allowed links keep theirs, and the admin overlay names the period."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.touch.admin import make_pin_hash
from kiosk.touch.testing.harness import run_scenario

from .ui import texts

pytestmark = pytest.mark.timeout(180)

CORNER = {"x": 0.01, "y": 0.99}


def _visit(tmp_path: Path, now: str, admin: bool = False):
    steps = [
        {"tap": {"x": 0.5, "y": 0.6}}, {"wait": 0.3},
        {"tap": {"tid": "cat-places"}}, {"wait": 0.3}, {"dump": "places"},
        {"tap": {"text": "Office de tourisme"}}, {"wait": 0.3}, {"dump": "allowed"},
        {"tap": {"tid": "nav-home"}}, {"wait": 0.3},
        {"tap": {"tid": "cat-news"}}, {"wait": 0.3}, {"dump": "news"},
    ]
    if admin:
        steps += [{"press": CORNER, "hold_s": 5.5}, *[{"tap": {"tid": f"pin-{d}"}} for d in "4821"],
                  {"tap": {"tid": "pin-ok"}}, {"wait": 0.3}, {"dump": "admin"}]
    else:
        steps += [{"tap": {"tid": "nav-home"}}, {"wait": 0.3}, {"tap": {"tid": "cat-places"}}, {"wait": 0.3},
                  {"tap": {"text": "Salle des fêtes (Comité des fêtes)"}}, {"wait": 0.3}, {"dump": "outside"}]
    r = run_scenario(steps, tmp_path, now=now, pin_hash=make_pin_hash("4821"))
    assert r.results["errors"] == [], r.stderr[-3000:]
    return r


def _has_qr(dump) -> bool:
    return any(w["cls"] == "QRCode" for w in dump["widgets"])


def test_outside_links_and_tagged_pages_are_withheld_during_the_reserve_period(tmp_path: Path) -> None:
    r = _visit(tmp_path, "2027-10-05T08:00:00+00:00", admin=True)
    assert "Salle des fêtes (Comité des fêtes)" not in texts(r.dump("places"))
    assert "Office de tourisme" in texts(r.dump("places"))
    assert _has_qr(r.dump("allowed"))  # valbruyere.example is an allowed domain
    assert "Mi-mandat : 24 engagements tenus" not in texts(r.dump("news"))
    assert "Nouvelle ligne de bus 5" in texts(r.dump("news"))
    admin = texts(r.dump("admin"))
    assert "Période de réserve électorale: Départementales 2028, jusqu'au 19 mars 2028 inclus" in admin


def test_before_the_period_the_same_pages_and_their_qr_codes_are_shown(tmp_path: Path) -> None:
    r = _visit(tmp_path, "2027-08-31T08:00:00+00:00")
    assert "Salle des fêtes (Comité des fêtes)" in texts(r.dump("places"))
    assert "Mi-mandat : 24 engagements tenus" in texts(r.dump("news"))
    assert _has_qr(r.dump("outside"))

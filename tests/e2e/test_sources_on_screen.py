"""Content sources end to end: the providers' real formats → `kiosk publish` → served →
`kiosk sync` on a device → the kiosk's pages (with their source) and a red weather alert on a
headless player's screen. The device never talks to the providers."""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hub.refserver import ContentTreeServer
from kiosk.device.control import call, socket_path
from kiosk.touch.testing.harness import run_scenario
from player.severity import DARK

from ..hub.sources.server import SourceServer
from ..hub.sources.town import write_town
from ..touch.ui import texts
from .device import run_kiosk, start_player

AT = "2026-11-26T07:00:00Z"
RED = tuple(round(c * 255) for c in DARK.critical.fill[:3])  # the critical colour (player/severity.py)
SIZE = (1280, 800)


def _id(manifest: dict[str, Any], section: str, title: str) -> str:
    key = "name" if section == "services" else "title"
    return next(d["id"] for d in manifest["kiosk"][section] if d[key]["fr"] == title)


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("sources-e2e")
    providers = SourceServer()
    try:
        src = write_town(tmp, providers, ("rss", "ics", "annuaire", "scdl-menus", "meteofrance-vigilance"))
        r = run_kiosk("publish", str(src), str(tmp / "tree"), "--published-at", AT)
        assert r.returncode == 0, r.stderr
    finally:
        providers.stop()
    api = ContentTreeServer(tmp / "tree").start_background()
    try:
        r = run_kiosk("sync", "--once", "--api", api.url, "--data", str(tmp / "device"))
        assert r.returncode == 0, r.stderr
    finally:
        api.stop()
    return tmp / "device", json.loads((tmp / "tree" / "v1" / "manifest.json").read_bytes())


@pytest.mark.timeout(240)
def test_ingested_pages_show_with_their_source_status_and_allergens(device: tuple[Path, dict[str, Any]],
                                                                   tmp_path: Path) -> None:
    data, manifest = device
    works = _id(manifest, "news", "Travaux rue Haute : circulation alternée jusqu’au 4 décembre")
    talk = _id(manifest, "events", "Conférence : le climat en Limousin")
    town_hall = _id(manifest, "services", "Mairie - Valbruyère")
    steps = [
        {"tap": {"x": 0.5, "y": 0.6}}, {"wait": 0.3},
        {"tap": {"tid": "cat-news"}}, {"tap": {"tid": f"row-{works}"}}, {"wait": 0.3}, {"dump": "news"}, {"shot": "news"},
        {"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-agenda"}}, {"wait": 0.3}, {"dump": "agenda"},
        {"tap": {"tid": f"row-{talk}"}}, {"wait": 0.3}, {"dump": "talk"}, {"shot": "talk"},
        {"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-services"}}, {"tap": {"tid": f"row-{town_hall}"}},
        {"wait": 0.3}, {"dump": "town-hall"}, {"shot": "town-hall"},
        {"tap": {"tid": "nav-home"}}, {"tap": {"tid": "cat-menus"}}, {"wait": 0.3}, {"dump": "menus"},
    ]
    # Thursday 26 November 2026, 05:20 in Valbruyère: before the weather warning's window.
    r = run_scenario(steps, tmp_path / "ui", size=SIZE, data=data, now="2026-11-26T04:20:00+00:00")
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]

    news = r.dump("news")
    assert news["screen"] == "detail" and news["doc_id"] == works
    shown = texts(news)
    assert "Travaux rue Haute : circulation alternée jusqu’au 4 décembre" in shown
    assert any("Ville de Valbruyère · 25 novembre 2026" in t for t in shown), shown
    assert any(t.startswith("Source") for t in shown), shown
    assert not any("tracking" in t or "<p>" in t for t in shown)

    assert any(t.startswith("Annulé · ") for t in texts(r.dump("agenda")))
    talk_page = texts(r.dump("talk"))
    assert "Annulé" in talk_page and "Conférence : le climat en Limousin" in talk_page

    hall = texts(r.dump("town-hall"))
    assert any(t.startswith("Fermé") and "08:30" in t for t in hall), hall  # 05:20: opens at 08:30
    assert "Permanence état civil uniquement" in hall
    assert any("Annuaire de l'administration (service-public.fr) · 14 octobre 2026 · Licence Ouverte" in t
               for t in hall), hall


@pytest.mark.timeout(180)
def test_a_red_vigilance_takes_the_whole_screen_of_a_headless_player(device: tuple[Path, dict[str, Any]],
                                                                     tmp_path: Path) -> None:
    data, manifest = device
    [wind] = [b for b in manifest["bulletins"] if b["title"]["fr"] == "Vigilance rouge : vent violent"]
    proc = start_player(data, "--at", "2026-11-26T12:00:00+01:00", "--size", "480x270", "--duration", "60")
    sock = socket_path(data)
    try:
        status: dict[str, Any] = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = call(sock, "status")
            if status.get("showing") == f"alert-{wind['id']}":
                break
            time.sleep(0.2)
        out = tmp_path / "alert.png"
        call(sock, "screenshot", path=str(out))
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert status.get("showing") == f"alert-{wind['id']}", status
    with Image.open(out) as img:
        rgb = img.convert("RGB")
        body = rgb.crop((0, img.height // 6, img.width, img.height * 5 // 6))
        red = sum(1 for px in body.get_flattened_data() if px == RED)
        assert red > 0.6 * body.width * body.height  # the red alert fills the screen, text aside
        top = rgb.getpixel((img.width - 5, 5))
        assert top[0] > 100 and top[2] < 60 and top != RED  # the orange rain banner over it

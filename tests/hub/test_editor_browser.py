"""The editor in a real browser (Debian's chromium, Playwright) over a real hub (gunicorn)
and a real device on this machine (`kiosk provision --enrol`, a `kiosk sync` daemon,
headless players): an editor uploads a poster and schedules it weekdays 08:00–12:00 until
the month's end, a publisher publishes, and the device plays it on a Tuesday at 09:00 but
not at 14:00; an alert made in the editor is on the device within one poll and leaves when
ended; in a reserve period an editor's change waits and the editor cannot publish; a form
without its CSRF token is refused; a title with markup stays text."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from hub.editor import preview
from kiosk.device.control import call, socket_path

from ..e2e.device import run_kiosk
from ..helpers import write_source
from . import browser, editor_media
from .editor_harness import election_in_force
from .fleet_devices import Device, HubProcess, enrol_device, start_hub_process

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=browser.missing() or "")
PASSWORD = "correct horse battery staple"
PARIS = ZoneInfo("Europe/Paris")
SHOTS = os.environ.get("KIOSK_HUB_SCREENS", "")
MARKUP = '<b>Fête</b> du sport <script>window.pwned = 1</script>'


def next_tuesday(today: date) -> date:
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def month_end(day: date) -> date:
    """The first day of the next month: the exclusive end of ``day``'s month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, Device, Path]]:
    tmp = tmp_path_factory.mktemp("editor")
    src = write_source(tmp / "src")
    hub = start_hub_process(tmp, src)
    device: Device | None = None
    try:
        for name, role in (("claire", "editor"), ("paul", "publisher")):
            r = hub.hub("create-admin", name, "--password-stdin", "--role", role, stdin=PASSWORD + "\n")
            assert r.returncode == 0, r.stderr
        device = enrol_device(hub, tmp, "totem-1", "Mairie")
        device.start_daemon(interval=1.0)
        yield hub, device, src
    finally:
        if device is not None:
            device.stop()
        hub.stop()
        assert "Traceback" not in hub.log.read_text(), hub.log.read_text()[-3000:]


def _sign_in(page: Page, url: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{url}/editor/")


def _save(page: Page, name: str) -> None:
    if SHOTS:  # Path("") would be "." and drop the pictures at the top of the tree
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def _wait_published_version(hub: HubProcess, device: Device, timeout: float = 30) -> str:
    import json

    version = json.loads((hub.data / "published" / "v1" / "manifest.json").read_text())["version"]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = run_kiosk("status", "--json", "--data", str(device.data), timeout=60)
        if version in r.stdout:
            return str(version)
        time.sleep(0.3)
    raise AssertionError(f"the device did not take version {version}: {r.stdout[-1000:]}")


def _played_at(device: Device, at: datetime, out: Path, seconds: float = 9.0) -> list[str]:
    """The items a headless player shows in ``seconds`` as if the clock read ``at``."""
    out.mkdir(parents=True, exist_ok=True)
    r = run_kiosk("player", "--data", str(device.data), "--headless", "--at", at.strftime("%Y-%m-%dT%H:%M"),
                  "--duration", str(seconds), "--max-slide-seconds", "1", "--size", "320x180",
                  "--screenshots", str(out), env={"SDL_VIDEODRIVER": "offscreen"}, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return sorted(p.stem.split("-", 1)[1] for p in out.glob("*.png"))


def test_a_poster_from_the_editor_plays_on_the_device_when_it_is_scheduled(
        town: tuple[HubProcess, Device, Path], tmp_path: Path) -> None:
    hub, device, src = town
    poster = tmp_path / "affiche-sport.jpg"
    poster.write_bytes(editor_media.jpeg((2400, 1350), (200, 30, 160)))
    tuesday = next_tuesday(datetime.now(PARIS).date())
    until = month_end(tuesday)
    with browser.browser_page(locale="fr-FR") as page:
        _sign_in(page, hub.url, "claire")
        _save(page, "editor-home.png")
        page.click("text=Nouvelle affiche")
        page.wait_for_url(f"{hub.url}/editor/poster/new")
        page.set_input_files("input[name=file]", str(poster))
        page.fill("#caption__fr", MARKUP)
        page.fill("#new_id", "fete-sport")
        for day in ("mon", "tue", "wed", "thu", "fri"):
            page.check(f"input[name=weekdays][value={day}]")
        page.fill("#dayparts", "08:00-12:00")
        page.fill("#valid_until", f"{until.isoformat()}T00:00")
        _save(page, "editor-poster-form.png")
        page.click("button[name=save]")
        page.wait_for_url(f"{hub.url}/editor/poster/")
        flashes = page.locator("p.flash").all_inner_texts()
        assert any("réduite à la taille des écrans" in f for f in flashes), flashes
        assert any(MARKUP in f for f in flashes)  # the caption as text, not markup
        assert page.evaluate("() => window.pwned") is None
        row = page.locator('tr[data-id="fete-sport"] a.doc-title')
        assert row.inner_text() == MARKUP
        # the editor has no publish button; the publisher has
        page.goto(f"{hub.url}/editor/changes")
        assert page.locator("#publish").count() == 0 and page.locator("#no-publish").is_visible()

        _sign_in(page, hub.url, "paul")
        page.goto(f"{hub.url}/editor/changes")
        page.click("#publish")
        page.wait_for_selector("p.flash.info")
        assert "Publié : version" in page.locator("p.flash.info").first.inner_text()
    _wait_published_version(hub, device)
    text = (src / "playlists" / "lobby.toml").read_text()
    assert 'id = "fete-sport"' in text and f"valid_until = {until.isoformat()}T00:00:00" in text
    morning = _played_at(device, datetime.combine(tuesday, datetime.min.time()).replace(hour=9), tmp_path / "am")
    afternoon = _played_at(device, datetime.combine(tuesday, datetime.min.time()).replace(hour=14), tmp_path / "pm")
    assert "fete-sport" in morning, morning
    assert "fete-sport" not in afternoon and {"img-0", "img-1"} <= set(afternoon), afternoon
    from PIL import Image

    shot = next((tmp_path / "am").glob("*-fete-sport.png"))
    with Image.open(shot) as img:
        r, g, b = img.convert("RGB").getpixel((img.width // 2, img.height // 3))
    assert r > 150 and g < 90 and b > 110, (r, g, b)  # the poster's magenta on the screen


def test_an_alert_from_the_editor_is_on_the_device_within_one_poll_and_leaves_when_ended(
        town: tuple[HubProcess, Device, Path]) -> None:
    hub, device, _src = town
    device.start_player()
    sock = socket_path(device.data)
    try:
        with browser.browser_page(locale="fr-FR") as page:
            _sign_in(page, hub.url, "paul")
            page.click("a.tile.urgent")
            page.wait_for_url(f"{hub.url}/editor/alert/")
            assert page.input_value("#valid_until")  # the end is filled in (four hours from now)
            page.fill("#title__fr", "Coupure d'eau rue Haute")
            page.fill("#body__fr", "Jusqu'à 16 h. Eau potable au gymnase.")
            page.select_option("#severity", "warning")
            page.select_option("#alert", "banner")
            _save(page, "editor-alert.png")
            page.click("button[name=publish]")
            page.wait_for_url(f"{hub.url}/editor/alert/")
            published = time.monotonic()
            assert page.locator('tr[data-id="coupure-d-eau-rue-haute"]').count() == 1
            shown = _wait_for(lambda: "coupure-d-eau-rue-haute" in call(sock, "status").get("alerts", []), 15)
            assert shown - published < 8.0, f"on screen {shown - published:.1f} s after publishing"
            page.click('tr[data-id="coupure-d-eau-rue-haute"] button.end-now')
            page.wait_for_url(f"{hub.url}/editor/alert/")
            _wait_for(lambda: "coupure-d-eau-rue-haute" not in call(sock, "status").get("alerts", []), 15)
    finally:
        if device.player is not None:
            device.player.terminate()
            device.player.wait(20)
            device.player = None


def _wait_for(ok: object, timeout: float) -> float:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if ok():  # type: ignore[operator]  # a callable returning a truth value
                return time.monotonic()
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise AssertionError("not within the time")


def test_in_a_reserve_period_an_editor_proposes_and_cannot_publish_and_csrf_is_required(
        town: tuple[HubProcess, Device, Path]) -> None:
    hub, _device, src = town
    first, last = election_in_force(datetime.now(PARIS).date())
    site = src / "site.toml"
    original = site.read_text()
    site.write_text(original + f'\n[neutrality]\nelections = [{{ name = "Municipales", first_round = {first}, '
                               f'last_round = {last} }}]\n')
    try:
        with browser.browser_page(locale="fr-FR") as page:
            _sign_in(page, hub.url, "claire")
            assert "Période de réserve électorale (Municipales)" in page.locator("p.flash.period").inner_text()
            page.goto(f"{hub.url}/editor/bulletin/new")
            page.fill("#title__fr", "Bilan des travaux")
            page.fill("#body__fr", "Dix rues refaites.")
            page.select_option("#category", "works")
            page.select_option("#severity", "info")
            assert page.locator("button[name=save]").inner_text() == "Proposer pour approbation"
            page.click("button[name=save]")
            page.wait_for_url(f"{hub.url}/editor/bulletin/")
            assert "en attente de l'approbation" in page.locator("p.flash").first.inner_text()
            assert "bilan-des-travaux" not in (src / "bulletins" / "bulletins.toml").read_text() \
                if (src / "bulletins" / "bulletins.toml").exists() else True
            token = page.locator("form input[name=csrf_token]").first.get_attribute("value")
            r = page.request.post(f"{hub.url}/editor/publish", form={"csrf_token": token or ""})
            assert r.status == 403  # an editor cannot publish
            r = page.request.post(f"{hub.url}/editor/bulletin/new", form={"title__fr": "sans jeton",
                                                                           "category": "info", "severity": "info"})
            assert r.status == 400  # no CSRF token: refused
            page.goto(f"{hub.url}/editor/changes")
            assert page.locator("article.change").count() == 2  # the bulletin, and its item in the loop
            _save(page, "editor-waiting.png")
            _sign_in(page, hub.url, "paul")
            for _ in range(2):
                page.goto(f"{hub.url}/editor/changes")
                page.locator("article.change button.primary").first.click()
                page.wait_for_selector("p.flash.info")
            assert 'id = "bilan-des-travaux"' in (src / "bulletins" / "bulletins.toml").read_text()
            page.goto(f"{hub.url}/editor/audit")
            _save(page, "editor-history.png")
            assert "bilan-des-travaux" in page.content() or "Bilan des travaux" in page.content()
    finally:
        site.write_text(original)


@pytest.mark.skipif(not preview.available(), reason="kiosk preview is not in this installation yet")
def test_the_preview_shows_the_poster_on_tuesday_morning_not_afternoon(
        town: tuple[HubProcess, Device, Path]) -> None:
    hub, _device, _src = town
    tuesday = next_tuesday(datetime.now(PARIS).date())
    with browser.browser_page(locale="fr-FR") as page:
        _sign_in(page, hub.url, "claire")
        for hour, shown in ((9, True), (14, False)):
            page.goto(f"{hub.url}/editor/preview?at={tuesday.isoformat()}T{hour:02d}:00&what=loop&playlist=lobby")
            page.wait_for_selector("#preview-image")
            ids = page.locator("#preview-items li").evaluate_all("els => els.map(e => e.dataset.id)")
            assert ("fete-sport" in ids) is shown, ids
            assert page.evaluate("() => document.querySelector('#preview-image').naturalWidth") > 0
            if shown:
                _save(page, "editor-preview.png")

"""The fleet page in a real browser (Debian's chromium, Playwright) over a real hub
(gunicorn) and three real devices on this machine (`kiosk sync` daemons and headless
players): sign in, see the three screens and their screenshots, stop one and see it turn
offline, ask a screenshot and see it arrive."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ..helpers import write_source
from . import browser
from .fleet_devices import Device, HubProcess, enrol_device, start_hub_process

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=browser.missing() or "")
PASSWORD = "correct horse battery staple"
# Where the page screenshots go (a folder to look at; docs/screens/ when making the docs).
SHOTS = os.environ.get("KIOSK_HUB_SCREENS", "")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, list[Device]]]:
    tmp = tmp_path_factory.mktemp("fleet")
    src = write_source(tmp / "src")
    hub = start_hub_process(tmp, src, "--offline-polls", "3", "--page-refresh", "1")
    devices: list[Device] = []
    try:
        r = hub.hub("create-admin", "tech", "--password-stdin", "--role", "technician", stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        for i, place in enumerate(("Mairie, hall d'accueil", "Médiathèque", "Piscine municipale"), 1):
            devices.append(enrol_device(hub, tmp, f"totem-{i}", place))
        for d in devices:
            d.start_player()
        for d in devices:
            d.start_daemon(interval=1.0)
        yield hub, devices
    finally:
        for d in devices:
            d.stop()
        hub.stop()
        for d in devices:
            for log in d.logs:
                assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
        assert "Traceback" not in hub.log.read_text(), hub.log.read_text()[-3000:]


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/fleet")
    assert "/login" in page.url
    page.fill("input[name=username]", "tech")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{url}/fleet")


def _save(page: Page, name: str) -> None:
    if SHOTS:  # Path("") would be "." and drop the pictures at the top of the tree
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_three_devices_their_screenshots_one_offline_and_a_screenshot_asked(
        fleet: tuple[HubProcess, list[Device]]) -> None:
    hub, devices = fleet
    with browser.browser_page() as page:
        _sign_in(page, hub.url)
        # three online rows, each with a screenshot loaded, refreshed by htmx (no reload)
        page.wait_for_function(
            """() => [...document.querySelectorAll('tr[data-device]')].filter(r =>
                 r.dataset.state === 'online' && r.querySelector('img.thumb')?.naturalWidth > 0).length === 3""",
            timeout=60_000)
        marker = page.evaluate("() => { window.notReloaded = true; return true }")
        assert marker
        rows = page.locator("tr[data-device]")
        assert sorted(rows.nth(i).get_attribute("data-device") for i in range(3)) == ["totem-1", "totem-2", "totem-3"]
        text = page.locator("table.fleet").inner_text()
        assert "Médiathèque" in text and "à jour" in text and "allumé" in text and "img-" in text
        size = page.evaluate("() => { const i = document.querySelector('img.thumb');"
                             " return [i.naturalWidth, i.naturalHeight] }")
        assert size == [320, 180]
        _save(page, "hub-fleet.png")

        # stop one device's sync daemon: its row turns offline (red) by itself
        devices[2].stop_daemon()
        page.wait_for_selector('tr[data-device="totem-3"][data-state="offline"]', timeout=30_000)
        assert page.evaluate("() => window.notReloaded") is True
        colour = page.evaluate("() => getComputedStyle(document.querySelector("
                               "'tr[data-device=\"totem-3\"] td')).backgroundColor")
        assert colour == "rgb(253, 236, 234)"  # the offline red
        assert page.locator("#offline-count").inner_text().startswith("1")
        _save(page, "hub-fleet-offline.png")

        # ask a screenshot from the device page: it arrives with the next poll
        page.click('tr[data-device="totem-1"] a.devid')
        page.wait_for_url(f"{hub.url}/fleet/devices/totem-1")
        before = page.get_attribute("#latest-shot", "data-shot")
        page.click("#ask-shot")
        page.wait_for_function(
            "before => { const i = document.querySelector('#latest-shot');"
            " return i && i.dataset.shot !== before && i.naturalWidth > 0 }", arg=before, timeout=30_000)
        panel = page.locator("#panel").inner_text()
        assert "demandée" in panel and "Diffusions" in panel
        assert re.search(r"\bimg-\d\b", panel)
        _save(page, "hub-device.png")

"""The admin overlay's "sync now" with a real `kiosk sync` daemon subprocess and the
reference server: the daemon polls at once instead of at its next interval; without a
daemon, one `kiosk sync --once` runs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from content_cache import ContentCache
from hub.publisher import publish
from hub.refserver import ContentTreeServer
from kiosk.device.sync_now import SyncNow, SyncNowError
from kiosk.touch.admin import make_pin_hash
from kiosk.touch.testing.harness import TOUR_PIN, run_scenario
from kiosk.touch.ui_text import interface_strings

from ..helpers import write_source
from ..touch.ui import texts
from .test_sync_daemon import wait_for

ADMIN_SYNC = ([{"tap": {"x": 0.5, "y": 0.5}}, {"press": {"x": 0.005, "y": 0.995}, "hold_s": 5.5}]
              + [{"tap": {"tid": f"pin-{d}"}} for d in TOUR_PIN] + [{"tap": {"tid": "pin-ok"}}]
              + [{"tap": {"tid": "admin-sync_now"}}, {"dump": "after"}])


def _retitle(src: Path, title: str) -> None:
    news = src / "bulletins" / "news.toml"
    text = news.read_text(encoding="utf-8")
    news.write_text(text.replace(text.split('fr = "', 1)[1].split('"', 1)[0], title, 1), encoding="utf-8")


def _live(data: Path) -> str | None:
    with ContentCache(data / "cache") as cache:
        return cache.live_state().live_version_id


@pytest.mark.timeout(240)
def test_sync_now_from_the_admin_overlay_makes_the_daemon_poll_at_once_and_runs_once_without_it(
        tmp_path: Path) -> None:
    src, tree, data = write_source(tmp_path / "src"), tmp_path / "tree", tmp_path / "device"
    v1 = publish(src, tree).version
    server = ContentTreeServer(tree).start_background()
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[api]\nurl = "{server.url}"\n[cache]\ndir = "{data}"\n')
    log_path = tmp_path / "sync.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("w") as log_file:
        daemon = subprocess.Popen([sys.executable, "-m", "kiosk", "-v", "sync", "--config", str(cfg),
                                   "--interval", "3600"], stdout=log_file, stderr=subprocess.STDOUT, env=env)
    try:
        assert wait_for(lambda: (data / "cache" / "cache.sqlite").exists() and _live(data) == v1, 60), \
            log_path.read_text()[-3000:]
        assert wait_for(lambda: (data / "sync.sock").exists(), 10)

        _retitle(src, "Travaux rue Basse")
        v2 = publish(src, tree).version
        time.sleep(2.0)
        assert _live(data) == v1  # the next poll is an hour away: nothing happens by itself

        asked = time.monotonic()
        r = run_scenario(ADMIN_SYNC, tmp_path / "overlay", size=(1280, 800), data=data, config=cfg,
                         pin_hash=make_pin_hash(TOUR_PIN))
        assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
        assert r.results["sync_now"] == "daemon"
        ui = interface_strings("fr")
        assert ui["requested"].format(action=ui["sync_now"]) in texts(r.dump("after"))
        assert wait_for(lambda: _live(data) == v2, 30), log_path.read_text()[-3000:]
        took = time.monotonic() - asked
        assert took < 60  # against an interval of 3,600 s

        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(30) == 0
        assert not (data / "sync.sock").exists()
        log_text = log_path.read_text()
        assert log_text.count("sync now requested") == 1, log_text[-3000:]

        # No daemon any more: the same action runs one `kiosk sync --once`.
        _retitle(src, "Travaux rue Neuve")
        v3 = publish(src, tree).version
        sync_now = SyncNow(data, cfg)
        assert sync_now.request() == "once"
        assert sync_now._once is not None and sync_now._once.wait(60) == 0
        assert _live(data) == v3
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait(10)
        server.stop()


def test_without_daemon_or_api_url_sync_now_says_why(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[device]\nid = "totem-1"\n')
    with pytest.raises(SyncNowError, match="No sync service is running and the config has no api.url"):
        SyncNow(tmp_path / "device", cfg).request()


def test_in_a_sandbox_without_network_sync_now_asks_for_the_sync_service(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    real = socket.socket

    def sandboxed(family: int = socket.AF_INET, *args: object, **kw: object) -> socket.socket:
        if family in (socket.AF_INET, socket.AF_INET6):  # what RestrictAddressFamilies does
            raise OSError(97, "Address family not supported by protocol")
        return real(family, *args, **kw)

    monkeypatch.setattr(socket, "socket", sandboxed)
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[api]\nurl = "http://127.0.0.1:9"\n')
    sync_now = SyncNow(tmp_path / "device", cfg)
    with pytest.raises(SyncNowError, match="The sync service is not running, and the player may not use the network"):
        sync_now.request()
    assert sync_now._once is None  # no doomed child process


@pytest.mark.timeout(120)
def test_the_overlay_says_why_it_cannot_sync_in_the_visitors_language(tmp_path: Path) -> None:
    from .device import synced_device

    data = synced_device(tmp_path, write_source(tmp_path / "src"))
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[cache]\ndir = "{data}"\n')  # no api.url, and no daemon listening
    r = run_scenario(ADMIN_SYNC, tmp_path / "overlay", size=(1280, 800), data=data, config=cfg,
                     pin_hash=make_pin_hash(TOUR_PIN))
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
    assert "sync_now" not in r.results  # the action raised: nothing was started
    ui = interface_strings("fr")
    expected = f"{ui['sync_now']}: Aucun service de synchronisation ne tourne et la configuration n'a pas d'api.url."
    assert expected in texts(r.dump("after")), texts(r.dump("after"))

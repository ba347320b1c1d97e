"""A damaged cache database (cut in half, garbage, a garbage header, three pages of
garbage): `kiosk status` says so, and the sync — `--once` or the daemon, at its start or
while it runs — moves the file aside for a technician (one log line saying where),
rebuilds the live and previous versions from the kept manifests and the media store,
offline, and syncs on."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from content_cache import ContentCache, DamagedDatabase, database_damage
from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import write_source
from ..storage import DAMAGES, damage, errors, final_names_verified, kiosk, wait_for

EXIT_UNREACHABLE = 3


def _two_versions(tmp_path: Path) -> tuple[Path, Path, fs.FaultServer, str, str]:
    """A device with a previous and a live version, and its (running) server."""
    src = write_source(tmp_path / "src")
    tree, data = tmp_path / "tree", tmp_path / "device"
    first = publish(src, tree).version
    server = fs.FaultServer(tree)
    assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
    news = src / "bulletins" / "news.toml"
    news.write_text(news.read_text().replace("Circulation alternée.", "Rue fermée."))
    second = publish(src, tree).version
    assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
    return src, data, server, first, second


def _pointer(data: Path) -> tuple[str | None, str | None]:
    con = sqlite3.connect(data / "cache" / "cache.sqlite")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return con.execute("SELECT previous_version_id, live_version_id FROM live_pointer").fetchone()
    finally:
        con.close()


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_database_is_set_aside_and_rebuilt_offline_then_the_sync_goes_on(tmp_path: Path, how: str) -> None:
    src, data, server, first, second = _two_versions(tmp_path)
    db = data / "cache" / "cache.sqlite"
    try:
        damage(db, how)
        damaged_bytes = db.read_bytes()
        assert database_damage(db) is not None

        status = kiosk("status", "--data", str(data))
        assert status.returncode == 0, status.stderr
        assert re.search(r"cache database .*cache\.sqlite is damaged \(.+\); the sync sets it aside", status.stdout), \
            status.stdout

        # the server gone: the rebuild needs no network; the manifest poll then fails as usual
        server.inject_always("/v1/manifest.json", fs.status(404))
        r = kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == EXIT_UNREACHABLE, r.stderr
        assert "Traceback" not in r.stderr
        moved = re.findall(r"cache database damaged \(.+\): moved to (\S+) for a technician", r.stderr)
        assert len(moved) == 1, r.stderr
        assert Path(moved[0]).read_bytes() == damaged_bytes  # kept as it was
        assert _pointer(data) == (first, second)
        assert errors(r.stderr) and all("HTTP 404" in line for line in errors(r.stderr)), r.stderr

        server.always.clear()
        news = src / "bulletins" / "news.toml"
        news.write_text(news.read_text().replace("Rue fermée.", "Rue rouverte."))
        third = publish(src, tmp_path / "tree").version
        r = kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == 0, r.stderr
        assert _pointer(data) == (second, third)
        assert final_names_verified(data) == 3
        assert "is damaged" not in kiosk("status", "--data", str(data)).stdout
    finally:
        server.stop()


def test_only_the_writer_rebuilds_others_are_told_the_database_is_damaged(tmp_path: Path) -> None:
    _src, data, server, _first, _second = _two_versions(tmp_path)
    server.stop()
    damage(data / "cache" / "cache.sqlite", "garbage header")
    with pytest.raises(DamagedDatabase, match="is damaged .*file is not a database.*the sync sets it aside"):
        ContentCache(data / "cache").open()
    assert not list((data / "cache").glob("cache.sqlite.damaged-*"))


def test_the_daemon_heals_a_database_damaged_at_its_start_and_opens_a_replaced_one_anew(tmp_path: Path) -> None:
    src, data, server, first, second = _two_versions(tmp_path)
    db = data / "cache" / "cache.sqlite"
    damage(db, "cut in half")
    log_path = tmp_path / "daemon.log"
    daemon = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "sync", "--api", server.url, "--data", str(data), "--interval", "1"],
        stdout=log_path.open("w"), stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert wait_for(lambda: "sync daemon started" in log_path.read_text(), 60), log_path.read_text()
        assert len(list((data / "cache").glob("cache.sqlite.damaged-*[0-9Z]"))) == 1
        assert _pointer(data) == (first, second)

        # a file moved over the database under the running daemon: its next pass (or job)
        # notices, and the daemon opens the cache again — whatever SQLite then finds there
        # (its write-ahead log may restore the pages: else the file is set aside and rebuilt)
        stray = tmp_path / "stray"
        stray.write_bytes(b"not a database at all " * 4096)
        os.replace(stray, db)
        news = src / "bulletins" / "news.toml"
        news.write_text(news.read_text().replace("Rue fermée.", "Rue rouverte."))
        third = publish(src, tmp_path / "tree").version

        def third_live() -> bool:
            try:
                return _pointer(data)[1] == third
            except (sqlite3.Error, AssertionError):
                return False

        assert wait_for(third_live, 60), log_path.read_text()
        assert daemon.poll() is None
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(30) == 0
        text = log_path.read_text()
        assert "the sync daemon opens the cache again" in text, text
        assert "Traceback" not in text, text
        final_names_verified(data)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        server.stop()


def test_a_database_damaged_under_the_running_daemon_ends_its_service_to_be_opened_again(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from kiosk.device.cache import open_cache
    from sync import ContentApiClient, SyncSettings
    from sync.service import SyncService

    _src, data, server, _first, _second = _two_versions(tmp_path)
    server.stop()
    cache = open_cache(data, heal=True)
    service = SyncService(cache, ContentApiClient(SyncSettings(api_url=server.url)), now=lambda: datetime.now(UTC))
    try:
        assert service._database_ok()
        cache.engine.dispose()  # its pooled connections closed: the write-ahead log is in the file
        cache.reader.close()
        damage(data / "cache" / "cache.sqlite", "three pages of garbage")
        assert not service._database_ok()
        assert (service.reopen_reason or "").startswith("the cache database is damaged (")
    finally:
        cache.close()

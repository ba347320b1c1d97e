"""A data folder that cannot be written — a read-only mount (a card with errors is
remounted read-only), or a folder the service's user may not write — is one line naming
the folder and the cause, exit 11; `kiosk status` still reads it; the next sync, once
the folder can be written, completes. (The player on a read-only folder:
tests/e2e/test_damaged_cache_player.py.)"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import write_source
from ..storage import NOBODY, errors, final_names_verified, kiosk, live_version, read_only_view, wait_for

EXIT_READ_ONLY = 11


@pytest.fixture
def device(tmp_path: Path) -> Iterator[tuple[Path, Path, fs.FaultServer, str]]:
    """A synced device, and a newer version waiting on its server."""
    src = write_source(tmp_path / "src")
    tree, data = tmp_path / "tree", tmp_path / "device"
    first = publish(src, tree).version
    server = fs.FaultServer(tree)
    assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
    news = src / "bulletins" / "news.toml"
    news.write_text(news.read_text().replace("Circulation alternée.", "Rue fermée."))
    publish(src, tree)
    yield src, data, server, first
    server.stop()


def test_a_read_only_mount_is_one_line_and_exit_10_status_reads_it_and_the_sync_completes_once_writable(
    tmp_path: Path, device: tuple[Path, Path, fs.FaultServer, str],
) -> None:
    _src, data, server, first = device
    with read_only_view(data, tmp_path / "ro") as ro:
        r = kiosk("sync", "--once", "--api", server.url, "--data", str(ro))
        assert r.returncode == EXIT_READ_ONLY, r.stderr
        assert errors(r.stderr) == [
            f"cannot write to {ro}/cache: read-only file system (see `findmnt -T {ro}/cache`; a storage card "
            "with errors is remounted read-only: check `dmesg`) — the current version stays live"
        ], r.stderr
        assert "Traceback" not in r.stderr

        status = kiosk("status", "--data", str(ro))
        assert status.returncode == 0, status.stderr
        assert f"live {first}" in status.stdout and "last sync   updated" in status.stdout, status.stdout

        # the daemon says it once, waits, and syncs as soon as the folder is writable again
        log_path = tmp_path / "daemon.log"
        daemon = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "sync", "--api", server.url, "--data", str(ro), "--interval", "1"],
            stdout=log_path.open("w"), stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert wait_for(lambda: "the sync daemon tries again every 1 s" in log_path.read_text(), 30), \
                log_path.read_text()
            assert daemon.poll() is None
            subprocess.run(["mount", "-o", "remount,rw,bind", str(ro)], check=True)
            assert wait_for(lambda: live_version(data) != first, 30), log_path.read_text()
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(30) == 0
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
        text = log_path.read_text()
        assert text.count("cannot write to") == 1 and "Traceback" not in text, text
    final_names_verified(data)


def test_a_folder_the_user_may_not_write_is_one_line_naming_it_and_status_still_reads_it(
    device: tuple[Path, Path, fs.FaultServer, str],
) -> None:
    _src, data, server, first = device
    # A folder all may reach (the test's own tmp folder is root's alone), owned by root.
    base = Path(tempfile.mkdtemp(prefix="kiosk-perm-"))
    try:
        base.chmod(0o755)
        shutil.copytree(data, base / "data")
        for folder, dirs, _files in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(folder, d), 0o755)
        r = kiosk("sync", "--once", "--api", server.url, "--data", str(base / "data"), uid=NOBODY)
        assert r.returncode == EXIT_READ_ONLY, r.stderr
        assert len(errors(r.stderr)) == 1, r.stderr
        assert re.fullmatch(
            rf"cannot write to {re.escape(str(base))}/data/cache: permission denied for user nobody \(the folder "
            r"belongs to root:root, mode 755; run as the service's user or `chown -R nobody: .+/data/cache`\) "
            r"— the current version stays live", errors(r.stderr)[0]), r.stderr

        status = kiosk("status", "--data", str(base / "data"), uid=NOBODY)
        assert status.returncode == 0, status.stderr
        assert f"live {first}" in status.stdout, status.stdout
        assert live_version(base / "data") == first
    finally:
        shutil.rmtree(base, ignore_errors=True)

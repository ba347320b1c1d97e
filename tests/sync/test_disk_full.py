"""A full disk under the data folder (a real small filesystem, tmpfs): `kiosk sync --once`
ends with exit 10 and one line, the attempt's partial downloads are released, `kiosk
status` and the daemon keep working on a disk full to the last byte, and the next sync
succeeds once the space is back. Nothing ever sits under a final name with wrong bytes."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import write_source
from ..storage import (
    add_big_video,
    drop_video,
    errors,
    fill,
    final_names_verified,
    kiosk,
    live_version,
    partials,
    small_filesystem,
    wait_for,
)

EXIT_NO_SPACE = 10


def test_a_version_that_does_not_fit_is_refused_with_one_line_and_the_next_one_that_fits_goes_live(
    tmp_path: Path,
) -> None:
    src = write_source(tmp_path / "src")
    tree = tmp_path / "tree"
    first = publish(src, tree).version
    server = fs.FaultServer(tree)
    with small_filesystem(tmp_path / "disk", 24) as disk:
        data = disk / "data"
        try:
            assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
            add_big_video(src, "big.mp4", 30_000_000, seed=1)
            too_big = publish(src, tree).version
            server.take_hits()

            r = kiosk("sync", "--once", "--api", server.url, "--data", str(data))
            assert r.returncode == EXIT_NO_SPACE, r.stderr
            assert len(errors(r.stderr)) == 1, r.stderr
            assert re.fullmatch(rf"no space left on {re.escape(str(data))}: \d+\.\d MB free, the new version "
                                r"needs 30\.0 MB — the current version stays live", errors(r.stderr)[0]), r.stderr
            assert live_version(data) == first
            assert partials(data) == []  # refused before a byte was fetched
            assert not any(h.path.startswith("/v1/media/") for h in server.take_hits())
            final_names_verified(data)

            status = kiosk("status", "--data", str(data))
            assert status.returncode == 0, status.stderr
            assert f"live {first}" in status.stdout and "last sync   no-space" in status.stdout

            # a version that fits (the video made smaller) goes live at the next sync
            drop_video(src, "big.mp4", seed=1)
            add_big_video(src, "small.mp4", 8_000_000, seed=2)
            fits = publish(src, tree).version
            assert fits != too_big
            r = kiosk("sync", "--once", "--api", server.url, "--data", str(data))
            assert r.returncode == 0, r.stderr
            assert live_version(data) == fits
            assert final_names_verified(data) == 4  # three images and the video
        finally:
            server.stop()


def test_a_disk_filled_during_the_download_stops_it_with_one_line_and_releases_its_partial_download(
    tmp_path: Path,
) -> None:
    src = write_source(tmp_path / "src")
    tree = tmp_path / "tree"
    first = publish(src, tree).version
    server = fs.FaultServer(tree)
    with small_filesystem(tmp_path / "disk", 40) as disk:
        data = disk / "data"
        try:
            assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
            add_big_video(src, "clip.mp4", 12_000_000, seed=3)
            publish(src, tree)
            server.media_rate = 3_000_000  # about 4 s: the disk fills meanwhile
            proc = subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "--once", "--api", server.url,
                                     "--data", str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            part = wait_for(lambda: next((p for p in partials(data) if p.stat().st_size > 1_000_000), None), 60)
            assert part is not None, "the download did not start"
            fill(disk)  # something else takes every byte left
            _, stderr = proc.communicate(timeout=120)
            assert proc.returncode == EXIT_NO_SPACE, stderr
            assert len(errors(stderr)) == 1, stderr
            line = errors(stderr)[0]
            assert re.fullmatch(rf"no space left on {re.escape(str(data))}: [\d.]+ (MB|kB) free, the new version "
                                r"needs 12\.0 MB — the current version stays live", line), line
            assert partials(data) == []  # released: the room goes back to the device
            assert live_version(data) == first
            final_names_verified(data)
        finally:
            server.stop()
            server.media_rate = None


def test_status_and_the_daemon_work_on_a_disk_full_to_the_last_byte_and_the_daemon_syncs_once_space_is_back(
    tmp_path: Path,
) -> None:
    src = write_source(tmp_path / "src")
    tree = tmp_path / "tree"
    first = publish(src, tree).version
    server = fs.FaultServer(tree)
    with small_filesystem(tmp_path / "disk", 20) as disk:
        data = disk / "data"
        daemon = None
        try:
            assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
            add_big_video(src, "clip.mp4", 2_000_000, seed=4)
            new = publish(src, tree).version
            # a partial download of an earlier attempt, then nothing left: the database's
            # write-ahead log cannot even be made
            (data / "cache" / "media" / "tmp" / f"{'a' * 64}.part").write_bytes(b"\0" * 1_000_000)
            filler = fill(disk)
            assert os.statvfs(disk).f_bavail == 0

            status = kiosk("status", "--data", str(data))
            assert status.returncode == 0, status.stderr
            assert f"live {first}" in status.stdout, status.stdout
            assert "Traceback" not in status.stderr

            log = (tmp_path / "daemon.log").open("w")
            daemon = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "sync", "--api", server.url, "--data", str(data), "--interval", "1"],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            # the partial download goes first; the database opens; the new version does not fit
            said = wait_for(lambda: "no space left on" in (tmp_path / "daemon.log").read_text(), 30)
            assert said, (tmp_path / "daemon.log").read_text()
            assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()
            assert partials(data) == []
            assert live_version(data) == first

            filler.unlink()  # the technician makes room
            assert wait_for(lambda: live_version(data) == new, 30), (tmp_path / "daemon.log").read_text()
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(30) == 0
            text = (tmp_path / "daemon.log").read_text()
            assert "Traceback" not in text, text
            assert final_names_verified(data) == 4
        finally:
            if daemon is not None and daemon.poll() is None:
                daemon.kill()
                daemon.wait()
            server.stop()

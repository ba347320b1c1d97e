"""What a sync leaves behind is collected by the next one: partial downloads that belong
to no wanted version (after a grace period; at once when the disk is short, see
test_disk_full.py), files no version references (a crash right after a switch), while
the partial downloads and verified files of the version still wanted are kept and
resumed. `kiosk sync --once` also hashes the live version's files (within a budget, as
the daemon does at its start): a stored file whose bytes changed is fetched again."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import write_source
from ..storage import add_big_video, errors, final_names_verified, kiosk, live_version, partials

DAY = 86400


def _device(tmp_path: Path) -> tuple[Path, Path, fs.FaultServer, str]:
    src = write_source(tmp_path / "src")
    first = publish(src, tmp_path / "tree").version
    server = fs.FaultServer(tmp_path / "tree")
    data = tmp_path / "device"
    assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
    return src, data, server, first


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_partials_of_a_withdrawn_version_are_collected_after_the_grace_period(tmp_path: Path) -> None:
    src, data, server, first = _device(tmp_path)
    try:
        # a version with a big video, interrupted mid-download, then withdrawn upstream
        sha = add_big_video(src, "clip.mp4", 1_000_000, seed=1)
        publish(src, tmp_path / "tree")
        server.inject(f"/v1/media/{sha}", fs.truncate(400_000))
        server.inject(f"/v1/media/{sha}", fs.status(404))
        r = kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == 5, r.stderr
        (part,) = partials(data)
        assert part.name == f"{sha}.part" and part.stat().st_size == 400_000

        (src / "media" / "clip.mp4").unlink()
        lobby = src / "playlists" / "lobby.toml"
        lobby.write_text(lobby.read_text().split('\n[[items]]\nid = "video-1"')[0])
        withdrawn = publish(src, tmp_path / "tree").version
        assert withdrawn == first  # back to what is live

        assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        assert partials(data) == [part]  # within the grace period: kept, the version may come back
        _age(part, 2 * DAY)
        assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        assert partials(data) == []
        assert live_version(data) == first
    finally:
        server.stop()


def test_an_old_partial_of_the_wanted_version_is_kept_and_resumed(tmp_path: Path) -> None:
    src, data, server, _first = _device(tmp_path)
    try:
        sha = add_big_video(src, "clip.mp4", 1_000_000, seed=2)
        wanted = publish(src, tmp_path / "tree").version
        server.inject(f"/v1/media/{sha}", fs.truncate(300_000), fs.status(404))
        assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 5
        (part,) = partials(data)
        _age(part, 30 * DAY)
        server.take_hits()
        assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        assert live_version(data) == wanted
        media = [h for h in server.take_hits() if h.path == f"/v1/media/{sha}"]
        assert [(h.status, h.range) for h in media] == [(206, "bytes=300000-")]
        assert final_names_verified(data) == 4
    finally:
        server.stop()


def test_files_no_version_references_after_a_crash_right_after_the_switch_are_collected_by_the_next_pass(
    tmp_path: Path,
) -> None:
    _src, data, server, first = _device(tmp_path)
    try:
        # as left by a sync killed between its switch and its garbage collection: a
        # verified file under its final name that no kept version references any more
        body = b"an image of a version two switches ago"
        sha = hashlib.sha256(body).hexdigest()
        orphan = data / "cache" / "media" / "sha256" / sha[:2] / sha
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(body)
        r = kiosk("sync", "--once", "--api", server.url, "--data", str(data))  # nothing new upstream
        assert r.returncode == 0, r.stderr
        assert not orphan.exists()
        assert "garbage-collected 1 media file(s)" in r.stderr
        assert final_names_verified(data) == 3 and live_version(data) == first
    finally:
        server.stop()


def test_verified_files_of_a_version_not_yet_complete_are_kept_for_the_next_attempt(tmp_path: Path) -> None:
    src, data, server, _first = _device(tmp_path)
    try:
        done = add_big_video(src, "a.mp4", 200_000, seed=3)
        failing = add_big_video(src, "b.mp4", 200_000, seed=4)
        wanted = publish(src, tmp_path / "tree").version
        server.inject(f"/v1/media/{failing}", *[fs.status(404)])
        assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 5
        assert (data / "cache" / "media" / "sha256" / done[:2] / done).is_file()
        server.take_hits()
        assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        assert live_version(data) == wanted
        assert [h.path for h in server.take_hits() if h.path.startswith("/v1/media/")] == [f"/v1/media/{failing}"]
    finally:
        server.stop()


def test_sync_once_fetches_again_a_live_file_whose_bytes_changed_but_not_its_size(tmp_path: Path) -> None:
    _src, data, server, first = _device(tmp_path)
    try:
        stored = next((data / "cache" / "media" / "sha256").glob("*/*"))
        body = bytearray(stored.read_bytes())
        body[len(body) // 2] ^= 0xFF  # one flipped byte (a bad block), the size unchanged
        stored.write_bytes(bytes(body))
        server.take_hits()
        r = kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == 0, r.stderr
        assert errors(r.stderr) == []
        assert "1 missing file(s) fetched again" in r.stdout + r.stderr, r.stdout + r.stderr
        assert [h.path for h in server.take_hits() if h.path.startswith("/v1/media/")] == [f"/v1/media/{stored.name}"]
        assert final_names_verified(data) == 3 and live_version(data) == first
    finally:
        server.stop()

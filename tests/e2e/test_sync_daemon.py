"""`kiosk sync` as a daemon subprocess: polls, fast-lane alerts, clean SIGTERM."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from content_cache import ContentCache
from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import wait_for, write_source
from ..sync.test_faults import add_video


def add_alert(src: Path, bid: str, title: str) -> None:
    with (src / "bulletins" / "news.toml").open("a") as f:
        f.write(f'\n[[bulletins]]\nid = "{bid}"\ncategory = "alert"\nseverity = "critical"\n'
                f'[bulletins.title]\nfr = "{title}"\n')


def test_daemon_shows_alerts_within_a_poll_while_a_video_downloads_and_stops_on_sigterm(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    tree, data = tmp_path / "tree", tmp_path / "device"
    publish(src, tree)
    server = fs.FaultServer(tree)
    log_path = tmp_path / "sync.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "sync", "--api", server.url, "--data", str(data),
             "--interval", "1", "--device-id", "totem-1"],
            stdout=log_file, stderr=subprocess.STDOUT, env=env,
        )
    try:
        cache = ContentCache(data / "cache")
        assert wait_for(lambda: (data / "cache" / "cache.sqlite").exists(), 20)
        cache.open()
        first = wait_for(lambda: cache.live_state().live_version_id, 60)
        assert first, log_path.read_text()[-3000:]

        # a new version with a slow 400 kB video and a storm alert
        big = add_video(src, "big.mp4", seed=7)
        add_alert(src, "storm", "Tempête")
        publish(src, tree)
        server.inject_always(f"/v1/media/{big}", fs.drip(25_000))  # about 16 s
        t0 = time.monotonic()
        assert wait_for(lambda: any(b.id == "storm" for b in cache.read_live().bulletins), 6)
        storm_after = time.monotonic() - t0

        # while that video still downloads, a second alert is published: the poll is not
        # blocked behind the download, so it shows within about one poll interval too
        add_alert(src, "flood", "Crue")
        newest = publish(src, tree).version
        t1 = time.monotonic()
        assert wait_for(lambda: any(b.id == "flood" for b in cache.read_live().bulletins), 6)
        flood_after = time.monotonic() - t1
        assert cache.live_state().live_version_id == first, "the version switched before its video arrived"
        assert not cache.store.path_for(big).exists()

        # the video arrives, the newest version goes live with both alerts
        # (the version in between may go live first: its video is the same)
        live = wait_for(lambda: (c := cache.read_live()) and c.version_id == newest and c, 60)
        assert live and {"storm", "flood"} <= {b.id for b in live.bulletins}
        assert hashlib.sha256(cache.store.path_for(big).read_bytes()).hexdigest() == big
        cache.close()

        time.sleep(2.5)  # a few unchanged polls
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        server.stop()
    log = log_path.read_text()
    assert "sync daemon stopped" in log and "Traceback" not in log
    assert log.count("sync state: unchanged") <= 1, "unchanged polls must not be logged each time"
    # one poll interval (1 s) plus scheduling on a loaded 2-core machine
    assert storm_after < 6 and flood_after < 6

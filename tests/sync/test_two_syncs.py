"""Two syncs of one data folder at once — two `kiosk sync --once`, or the daemon and a
`--once` — against a throttled server: one writer at a time (the cache's writer lock).
The second waits for the first (`--wait`), or exits 9 with "another sync is running
(pid N, …)"; no file is fetched twice, nothing under a final name has wrong bytes."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import write_source
from ..storage import add_big_video, errors, final_names_verified, kiosk, live_version, partials, wait_for

EXIT_BUSY = 9


def _start(*args: str, log: Path | None = None) -> subprocess.Popen:
    out = log.open("w") if log else subprocess.PIPE
    return subprocess.Popen([sys.executable, "-m", "kiosk", "sync", *args], stdout=out,
                            stderr=subprocess.STDOUT if log else subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _holder(data: Path) -> int | None:
    try:
        text = (data / "cache" / "writer.lock").read_text()
    except OSError:
        return None
    return int(text.split()[0]) if text.strip() else None


def _media_fetches(server: fs.FaultServer) -> Counter[str]:
    return Counter(h.path for h in server.take_hits() if h.path.startswith("/v1/media/") and h.status in (200, 206))


def _slow_device(tmp_path: Path) -> tuple[Path, fs.FaultServer, str]:
    src = write_source(tmp_path / "src")
    tree = tmp_path / "tree"
    for k in range(3):
        add_big_video(src, f"clip{k}.mp4", 2_000_000, seed=k)
    version = publish(src, tree).version
    server = fs.FaultServer(tree)
    server.media_rate = 1_000_000  # per download: a sync of 2-3 s
    return tmp_path / "device", server, version


def test_a_second_once_exits_8_naming_the_first_or_waits_for_it_and_nothing_is_fetched_twice(tmp_path: Path) -> None:
    data, server, version = _slow_device(tmp_path)
    try:
        first = _start("--once", "--api", server.url, "--data", str(data))
        assert wait_for(lambda: _holder(data) == first.pid, 30)
        r = kiosk("sync", "--once", "--wait", "0", "--api", server.url, "--data", str(data))
        assert r.returncode == EXIT_BUSY, r.stderr
        assert errors(r.stderr) == [f"another sync is running (pid {first.pid}, sync --once)"], r.stderr
        waiting = _start("--once", "--wait", "60", "--api", server.url, "--data", str(data))
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
        out, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
        assert "sync unchanged" in out, out  # it waited, then found the version live
        assert live_version(data) == version
        fetches = _media_fetches(server)
        assert len(fetches) == 6 and set(fetches.values()) == {1}, fetches
        assert final_names_verified(data) == 6
        assert partials(data) == []
    finally:
        server.stop()


def test_the_daemon_and_a_once_take_turns(tmp_path: Path) -> None:
    data, server, version = _slow_device(tmp_path)
    log_path = tmp_path / "daemon.log"
    daemon = None
    try:
        # a --once downloads; the daemon started meanwhile waits for it
        server.media_rate = 300_000  # the --once outlasts the daemon's start
        once = _start("--once", "--api", server.url, "--data", str(data))
        assert wait_for(lambda: _holder(data) == once.pid, 30)
        daemon = _start("--api", server.url, "--data", str(data), "--interval", "1", log=log_path)
        assert wait_for(lambda: re.search(rf"another sync is running \(pid {once.pid}, sync --once\): the daemon "
                                          "waits for it", log_path.read_text()), 30), log_path.read_text()
        assert once.poll() is None
        _, err = once.communicate(timeout=120)
        assert once.returncode == 0, err
        server.media_rate = 1_000_000
        assert wait_for(lambda: "sync daemon started" in log_path.read_text(), 30), log_path.read_text()

        # a new version: the daemon downloads it; a --once meanwhile is told who writes
        src = tmp_path / "src"
        add_big_video(src, "clip3.mp4", 3_000_000, seed=3)
        newer = publish(src, tmp_path / "tree").version
        assert wait_for(lambda: _holder(data) == daemon.pid and partials(data), 30), log_path.read_text()
        r = kiosk("sync", "--once", "--wait", "0", "--api", server.url, "--data", str(data))
        assert r.returncode == EXIT_BUSY, r.stderr
        assert len(errors(r.stderr)) == 1, r.stderr
        assert errors(r.stderr)[0].startswith(
            f"another sync is running (pid {daemon.pid}, sync daemon); it syncs now if asked: "
            f"printf 'sync\\n' | socat - UNIX-CONNECT:{data}/sync.sock"), r.stderr
        assert wait_for(lambda: live_version(data) == newer, 60), log_path.read_text()
        assert kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(30) == 0
        assert "Traceback" not in log_path.read_text()
        fetches = _media_fetches(server)
        assert len(fetches) == 7 and set(fetches.values()) == {1}, fetches
        assert final_names_verified(data) == 7
        assert live_version(data) == newer != version
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        server.stop()

"""Rounds of syncs killed with SIGKILL at random points, and the checks that must hold
after each kill. Three ways: `kiosk sync --once` killed; the daemon (`kiosk sync`) killed
— at its start, while it checks the live files, polls, downloads or switches; and two
`kiosk sync --once` racing for the same data folder (the second a little later, waiting
for the first or not), either or both killed. Used by the test suite (a few rounds) and by
bench/sync_kill_stress.py (as many as asked)."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from content_cache import ContentCache
from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import write_source

MODES = ("once", "daemon", "race")
EXIT_BUSY = 9


@dataclass
class RoundResult:
    mode: str  # once | daemon | race (two --once at once)
    killed_after_s: float
    exit_codes: tuple[int | None, ...]  # of each process of the round
    live_before: str | None
    live_after: str | None
    published: str

    @property
    def exit_code(self) -> int | None:
        return self.exit_codes[0]

    @property
    def killed(self) -> bool:
        return -signal.SIGKILL in self.exit_codes


def new_round_content(src: Path, round_no: int, files: int = 3, size: int = 300_000) -> None:
    """Replace the round's media with fresh bytes so every round has something to fetch."""
    media = src / "media"
    for old in media.glob("round-*.mp4"):
        old.unlink()
    lines = [line for line in (src / "playlists" / "lobby.toml").read_text().split("\n[[items]]")
             if "round-" not in line]
    items = []
    for k in range(files):
        seed = f"{round_no}-{k}".encode()
        body = b"\x00\x00\x00\x18ftypmp42" + hashlib.sha256(seed).digest() * (size // 32)
        (media / f"round-{k}.mp4").write_bytes(body[:size])
        items.append(f'\nid = "round-{k}"\ntype = "video"\nfile = "media/round-{k}.mp4"\n')
    (src / "playlists" / "lobby.toml").write_text("\n[[items]]".join(lines + items))


def check_cache(data: Path, allowed: set[str | None]) -> str | None:
    """The invariants after a kill; returns the live version."""
    db = data / "cache" / "cache.sqlite"
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        live = con.execute("SELECT live_version_id FROM live_pointer").fetchone()
        live_id = live[0] if live else None
        assert live_id in allowed, f"live version {live_id} is neither the old nor the new one"
        if live_id:
            # every row of the live version is there, and every file it needs is whole
            files = con.execute("SELECT sha256, size FROM version_media WHERE version_id = ?", (live_id,)).fetchall()
            items = con.execute("SELECT count(*) FROM playlist_item WHERE version_id = ?", (live_id,)).fetchone()[0]
            assert items > 0
            for sha, size in files:
                path = data / "cache" / "media" / "sha256" / sha[:2] / sha
                assert path.stat().st_size == size
    finally:
        con.close()
    # no file sits under a final name with the wrong bytes
    objects = data / "cache" / "media" / "sha256"
    for path in objects.glob("*/*") if objects.exists() else []:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, f"{path} has wrong bytes"
    return live_id


def run_rounds(tmp: Path, rounds: int, seed: int = 1234, rate: float = 500_000, mode: str = "once") -> list[RoundResult]:
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: one of {', '.join(MODES)}")
    rng = random.Random(seed)
    src = write_source(tmp / "src")
    tree, data = tmp / "tree", tmp / "device"
    publish(src, tree)
    server = fs.FaultServer(tree)
    server.media_rate = rate  # slow enough for kills to land inside downloads
    results = []
    once = [sys.executable, "-m", "kiosk", "sync", "--once", "--quiet", "--api", server.url, "--data", str(data)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        subprocess.run(once, check=True, env=env, capture_output=True, timeout=120)
        for n in range(rounds):
            live_before = check_cache(data, {None} | {live_version_of(data)})
            new_round_content(src, n)
            published = publish(src, tree).version
            if mode == "once":
                codes, delay = _once_round(once, env, rng)
            elif mode == "daemon":
                codes, delay = _daemon_round(once[:4] + once[6:] + ["--interval", "1"], env, rng)
            else:
                codes, delay = _race_round(once, env, rng)
            live_after = check_cache(data, {live_before, published})
            assert all(c in (0, EXIT_BUSY, -signal.SIGKILL) for c in codes), f"round {n}: exit codes {codes}"
            if 0 in codes:  # a sync that says it completed left the published version live
                assert live_after == published, f"round {n}: exit 0 but {live_after} is live, not {published}"
            results.append(RoundResult(mode, delay, codes, live_before, live_after, published))
        final = subprocess.run(once, env=env, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stderr
        assert check_cache(data, {published}) == published
    finally:
        server.stop()
    return results


def _killed_after(procs: list[subprocess.Popen], delay: float, kill: list[bool],
                  start: float | None = None) -> tuple[int | None, ...]:
    """Wait until ``delay`` seconds after ``start`` (now by default), or until all have
    ended; SIGKILL those of ``kill`` still running."""
    end = (time.monotonic() if start is None else start) + delay
    while time.monotonic() < end and any(p.poll() is None for p in procs):
        time.sleep(0.01)
    for p, k in zip(procs, kill, strict=True):
        if k and p.poll() is None:
            p.send_signal(signal.SIGKILL)
    for p in procs:
        p.wait(120)
    return tuple(p.returncode for p in procs)


def _once_round(cmd: list[str], env: dict[str, str], rng: random.Random) -> tuple[tuple[int | None, ...], float]:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # A round's sync takes about 1 s here (0.6 s of downloads at ``rate``): most kills
    # land in it — before, during or after the downloads, or in the switch.
    delay = rng.uniform(0.1, 1.6)
    return _killed_after([proc], delay, [True]), delay


def _daemon_round(cmd: list[str], env: dict[str, str], rng: random.Random) -> tuple[tuple[int | None, ...], float]:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The daemon's start (imports, opening the cache, the live files' check) takes about a
    # second here, then its first poll and the round's downloads another: kills land in
    # each, and some after the switch while it waits for its next poll. It never ends by itself.
    delay = rng.uniform(0.2, 3.5)
    return _killed_after([proc], delay, [True]), delay


def _race_round(cmd: list[str], env: dict[str, str], rng: random.Random) -> tuple[tuple[int | None, ...], float]:
    t0 = time.monotonic()
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.0, 0.6))
    # the second waits for the first (the default 10 s), or gives up at once (exit 9)
    wait = ["--wait", "0"] if rng.random() < 0.5 else []
    second = subprocess.Popen(cmd + wait, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # from the first's start: kills land in either's start, downloads or switch, or in
    # the second's wait for the first
    delay = rng.uniform(0.1, 2.5)
    kill = [rng.random() < 0.6, rng.random() < 0.6]
    return _killed_after([first, second], delay, kill, start=t0), delay


def live_version_of(data: Path) -> str | None:
    with ContentCache(data / "cache") as c:
        return c.live_state().live_version_id


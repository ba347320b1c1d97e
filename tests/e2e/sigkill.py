"""Rounds of `kiosk sync --once` killed with SIGKILL at random points, and the checks
that must hold after each kill. Used by the test suite (20 rounds) and by
bench/sync_kill_stress.py (as many as asked)."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from content_cache import ContentCache
from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import write_source


@dataclass
class RoundResult:
    killed_after_s: float
    exit_code: int | None
    live_before: str | None
    live_after: str | None
    published: str


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


def run_rounds(tmp: Path, rounds: int, seed: int = 1234, rate: float = 500_000) -> list[RoundResult]:
    rng = random.Random(seed)
    src = write_source(tmp / "src")
    tree, data = tmp / "tree", tmp / "device"
    publish(src, tree)
    server = fs.FaultServer(tree)
    server.media_rate = rate  # slow enough for kills to land inside downloads
    results = []
    cmd = [sys.executable, "-m", "kiosk", "sync", "--once", "--quiet", "--api", server.url, "--data", str(data)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=120)
        for n in range(rounds):
            live_before = check_cache(data, {None} | {live_version_of(data)})
            new_round_content(src, n)
            published = publish(src, tree).version
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # A round's sync takes about 1 s here (0.6 s of downloads at ``rate``): most kills
            # land in it — before, during or after the downloads, or in the switch.
            delay = rng.uniform(0.1, 1.6)
            try:
                proc.wait(delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
            live_after = check_cache(data, {live_before, published})
            results.append(RoundResult(delay, proc.returncode, live_before, live_after, published))
        final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stderr
        assert check_cache(data, {published}) == published
    finally:
        server.stop()
    return results


def live_version_of(data: Path) -> str | None:
    with ContentCache(data / "cache") as c:
        return c.live_state().live_version_id


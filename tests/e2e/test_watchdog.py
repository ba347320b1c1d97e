"""The player speaks systemd's notify protocol over a real AF_UNIX datagram socket."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from kiosk.device.control import call, socket_path

from ..helpers import write_source
from .device import synced_device


def test_ready_after_first_frame_pings_while_healthy_none_while_frozen(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src")
    data = synced_device(tmp_path, src)

    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    sock.settimeout(0.2)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(NOTIFY_SOCKET=str(notify_path), WATCHDOG_USEC="1000000")  # ping every 0.5 s
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "player", "--data", str(data), "--headless",
         "--duration", "14", "--max-slide-seconds", "2", "--size", "320x180"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    messages: list[tuple[float, str]] = []
    frozen_at = None
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 13 and proc.poll() is None:
            with contextlib.suppress(TimeoutError):
                messages.append((time.monotonic(), sock.recv(4096).decode()))
            pings = [m for m in messages if m[1] == "WATCHDOG=1"]
            if frozen_at is None and len(pings) >= 4:
                call(socket_path(data), "freeze", seconds=3)
                frozen_at = time.monotonic()
    finally:
        proc.terminate()
        proc.wait(20)
        sock.close()

    texts = [m for _, m in messages]
    assert texts[0].startswith("READY=1\nSTATUS=showing img-0"), texts[:3]
    assert any(t.startswith("STATUS=showing img-1") for t in texts)
    pings = [t for t, m in messages if m == "WATCHDOG=1"]
    before = [b - a for a, b in zip(pings, pings[1:], strict=False) if b < frozen_at]
    assert before and max(before) < 0.9, before
    gaps_after = [b - a for a, b in zip(pings, pings[1:], strict=False) if b > frozen_at]
    assert max(gaps_after) >= 2.5, f"pings went on while the main loop was frozen: {gaps_after}"
    assert any(t > frozen_at + 3.2 for t in pings), "pings did not resume after the freeze"

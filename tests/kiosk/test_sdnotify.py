from __future__ import annotations

import socket
import time
from pathlib import Path

from kiosk.device.sdnotify import Notifier


def test_messages_arrive_on_the_notify_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        n = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "4000000"})
        assert n.watchdog_interval_s == 2.0
        n.ready("showing img-0")
        n.status("showing img-0")  # same as READY's: not sent again
        n.status("showing img-1")
        n.watchdog()
        got = [sock.recv(1024).decode() for _ in range(3)]
    assert got == ["READY=1\nSTATUS=showing img-0", "STATUS=showing img-1", "WATCHDOG=1"]


def test_a_socket_nobody_reads_never_blocks_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        n = Notifier({"NOTIFY_SOCKET": str(path)})
        t0 = time.monotonic()
        sent = [n.send(f"STATUS=slide {i}") for i in range(500)]
        assert time.monotonic() - t0 < 2.0
    assert sent[0] is True and sent[-1] is False  # the queue filled up: later ones dropped


def test_outside_systemd_nothing_is_sent() -> None:
    n = Notifier({})
    assert not n.enabled and n.send("READY=1") is False and n.watchdog_interval_s is None

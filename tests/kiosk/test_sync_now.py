"""The "sync now" socket between the admin overlay and the sync daemon."""
from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest

from kiosk.device.sync_now import SyncTriggerServer, TriggerError, request_sync, trigger_path


def test_a_request_reaches_the_daemon_once_and_is_answered(tmp_path: Path) -> None:
    calls: list[int] = []
    server = SyncTriggerServer(trigger_path(tmp_path), lambda: calls.append(1))
    server.start()
    try:
        assert stat.S_IMODE((tmp_path / "sync.sock").stat().st_mode) == 0o600
        assert request_sync(tmp_path / "sync.sock") is True
        assert request_sync(tmp_path / "sync.sock") is True
    finally:
        server.stop()
    assert calls == [1, 1]
    assert not (tmp_path / "sync.sock").exists()


def test_without_a_daemon_the_request_says_so(tmp_path: Path) -> None:
    assert request_sync(tmp_path / "sync.sock") is False
    # A daemon killed hard leaves its socket file: nobody listens on it.
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(tmp_path / "sync.sock"))
    stale.close()
    assert (tmp_path / "sync.sock").exists()
    assert request_sync(tmp_path / "sync.sock") is False


def test_an_unknown_request_is_refused_without_syncing(tmp_path: Path) -> None:
    calls: list[int] = []
    server = SyncTriggerServer(tmp_path / "sync.sock", lambda: calls.append(1))
    server.start()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(3)
            s.connect(str(tmp_path / "sync.sock"))
            s.sendall(b"rm -rf /\n")
            answer = s.recv(200).decode()
    finally:
        server.stop()
    assert answer.startswith("error: unknown request") and calls == []


def test_a_daemon_that_cannot_queue_the_poll_answers_with_its_reason(tmp_path: Path) -> None:
    def broken() -> None:
        raise LookupError("no job 'poll'")

    server = SyncTriggerServer(tmp_path / "sync.sock", broken)
    server.start()
    try:
        with pytest.raises(TriggerError, match="LookupError: no job 'poll'"):
            request_sync(tmp_path / "sync.sock")
        calls: list[int] = []
        server.on_request = lambda: calls.append(1)  # the listener survived the failure
        assert request_sync(tmp_path / "sync.sock") and calls == [1]
    finally:
        server.stop()


def test_the_player_side_loads_neither_the_sync_package_nor_requests() -> None:
    # The player imports these at start-up; sync's package pulls requests and jsonschema (~0.3 s).
    import subprocess
    import sys

    code = "import sys, kiosk.device.sync_now, kiosk.device.control; print(sorted(m for m in ('sync', 'requests', 'jsonschema') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

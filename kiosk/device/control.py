"""The player's local control socket (AF_UNIX, owner-only), for `kiosk status`,
`kiosk screenshot`, `kiosk next`, `kiosk show-test-card` and `kiosk watchdog-test`.

One JSON request line in, one JSON answer line out. The socket thread never touches
widgets: it queues the request and waits for the UI thread's answer (handed over through
a Clock trigger), so every command runs on Kivy's main loop.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.device.unix_socket import LineServer, read_line

log = logging.getLogger(__name__)

SOCKET_NAME = "control.sock"
MAX_REQUEST = 64 * 1024
ANSWER_TIMEOUT_S = 15.0


class ControlError(Exception):
    """The player could not be reached or refused the command."""


@dataclass
class Request:
    command: str
    args: dict[str, Any]
    answer: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=1))


def socket_path(data_dir: Path) -> Path:
    """Where a command finds the player of ``data_dir``: its socket in the data folder, or,
    when the player could not make it there (a read-only data folder), the one it made in
    the temporary folder instead (:func:`listen_path`)."""
    inside = data_dir / SOCKET_NAME
    if inside.exists():
        return inside
    elsewhere = _elsewhere(data_dir)
    if elsewhere.exists() or not _writable(data_dir):
        return elsewhere
    return inside


def listen_path(data_dir: Path) -> Path:
    """Where the player makes its socket: in the data folder when it can write there;
    otherwise (a read-only mount, another user's folder) in the temporary folder, under a
    name made from the data folder's path, so `kiosk status` and the others still reach it."""
    return data_dir / SOCKET_NAME if _writable(data_dir) else _elsewhere(data_dir)


def _writable(data_dir: Path) -> bool:
    return not data_dir.exists() or os.access(data_dir, os.W_OK)


def _elsewhere(data_dir: Path) -> Path:
    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"town-kiosk-control-{key}.sock"


class ControlServer:
    """Accepts connections in a thread; ``wake`` (a Kivy Clock trigger) makes the UI
    thread call :meth:`handle_pending` with its handler."""

    def __init__(self, path: Path, wake: Callable[[], None]) -> None:
        self.path = path
        self.wake = wake
        self.pending: queue.Queue[Request] = queue.Queue()
        self._server: LineServer | None = None

    def start(self) -> None:
        self._server = LineServer(self.path, self._answer, name="control-socket", limit=MAX_REQUEST)
        self._server.start()

    def _answer(self, request: bytes) -> bytes:
        try:
            reply = self._one(request)
        except Exception as e:  # never let a client kill the thread
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        return json.dumps(reply).encode()

    def _one(self, request: bytes) -> dict[str, Any]:
        msg = json.loads(request or b"{}")
        if not isinstance(msg, dict) or not isinstance(msg.get("command"), str):
            return {"ok": False, "error": "expected {\"command\": ...}"}
        req = Request(msg["command"], dict(msg.get("args") or {}))
        self.pending.put(req)
        self.wake()
        try:
            return req.answer.get(timeout=ANSWER_TIMEOUT_S)
        except queue.Empty:
            return {"ok": False, "error": "the player's main loop did not answer (frozen?)"}

    def handle_pending(self, handler: Callable[[str, dict[str, Any]], dict[str, Any]]) -> None:
        """Run on the UI thread: answer every queued request."""
        while True:
            try:
                req = self.pending.get_nowait()
            except queue.Empty:
                return
            try:
                answer = {"ok": True, **handler(req.command, req.args)}
            except ControlError as e:
                answer = {"ok": False, "error": str(e)}
            except Exception as e:
                log.exception("control command %s failed", req.command)
                answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            req.answer.put(answer)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()


def call(sock_path: Path, command: str, timeout: float = ANSWER_TIMEOUT_S + 5, **args: Any) -> dict[str, Any]:
    """Send one command to a running player; raises ControlError with a clear line."""
    path = sock_path
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(json.dumps({"command": command, "args": args}).encode() + b"\n")
            data = read_line(s, 1 << 30)  # answers (status) have no size limit
    except FileNotFoundError:
        raise ControlError(f"no player running (no control socket at {path})") from None
    except ConnectionRefusedError:
        raise ControlError(f"no player listening on {path}") from None
    except PermissionError:
        raise ControlError(f"{path}: permission denied (run as the player's user or root)") from None
    except TimeoutError:
        raise ControlError(f"the player did not answer within {timeout:.0f} s") from None
    reply = json.loads(data or b"{}")
    if not reply.get("ok"):
        raise ControlError(reply.get("error", "the player refused the command"))
    return reply

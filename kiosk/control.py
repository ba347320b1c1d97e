"""The player's local control socket (AF_UNIX, owner-only), for `kiosk status`,
`kiosk screenshot`, `kiosk next`, `kiosk show-test-card` and `kiosk watchdog-test`.

One JSON request line in, one JSON answer line out. The socket thread never touches
widgets: it queues the request and waits for the UI thread's answer (handed over through
a Clock trigger), so every command runs on Kivy's main loop.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    return data_dir / SOCKET_NAME


class ControlServer:
    """Accepts connections in a thread; ``wake`` (a Kivy Clock trigger) makes the UI
    thread call :meth:`handle_pending` with its handler."""

    def __init__(self, path: Path, wake: Callable[[], None]) -> None:
        self.path = path
        self.wake = wake
        self.pending: queue.Queue[Request] = queue.Queue()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        old = os.umask(0o177)  # owner-only from the start: no window with a wider mode
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        sock.listen(4)
        sock.settimeout(0.5)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="control-socket", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with conn:
                conn.settimeout(5)
                try:
                    reply = self._one(conn)
                except Exception as e:  # never let a client kill the thread
                    reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
                try:
                    conn.sendall(json.dumps(reply).encode() + b"\n")
                except OSError:
                    pass

    def _one(self, conn: socket.socket) -> dict[str, Any]:
        data = b""
        while not data.endswith(b"\n") and len(data) < MAX_REQUEST:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        msg = json.loads(data or b"{}")
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
        self._stop.set()
        if self._sock:
            self._sock.close()
        self.path.unlink(missing_ok=True)


def call(sock_path: Path, command: str, timeout: float = ANSWER_TIMEOUT_S + 5, **args: Any) -> dict[str, Any]:
    """Send one command to a running player; raises ControlError with a clear line."""
    path = sock_path
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(json.dumps({"command": command, "args": args}).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except FileNotFoundError:
        raise ControlError(f"no player running ({path} does not exist)") from None
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

"""Owner-only AF_UNIX servers on the device: one request line in, one answer line out.

The player's control socket (``kiosk.device.control``) and the sync daemon's "sync now" socket
(:mod:`kiosk.device.sync_now`) both listen this way, each in a thread of its own.
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def listen_owner_only(path: Path, backlog: int = 4) -> socket.socket:
    """A listening stream socket at ``path``, mode 0600 from the start (a file left by a
    process that was killed is replaced). accept() blocks: a thread waiting in it costs no
    wake-ups; :meth:`LineServer.stop` wakes it by shutting the socket down."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    old = os.umask(0o177)  # no window with a wider mode
    try:
        sock.bind(str(path))
    finally:
        os.umask(old)
    sock.listen(backlog)
    return sock


def read_line(conn: socket.socket, limit: int) -> bytes:
    """Bytes up to and including the first newline (or ``limit`` bytes, or the end)."""
    data = b""
    while not data.endswith(b"\n") and len(data) < limit:
        chunk = conn.recv(min(65536, limit))
        if not chunk:
            break
        data += chunk
    return data


class LineServer:
    """Serves ``answer(request) -> reply`` in a thread; ``reply`` is sent with a newline.

    ``answer`` gets the connection's first line (or what came before ``limit`` bytes, a
    timeout or the end); it should turn its own failures into a reply — one that escapes
    is logged and the connection closed, and the server goes on.
    """

    def __init__(self, path: Path, answer: Callable[[bytes], bytes], *, name: str,
                 limit: int = 64 * 1024, timeout_s: float = 5.0) -> None:
        self.path = Path(path)
        self.answer = answer
        self.name = name
        self.limit = limit
        self.timeout_s = timeout_s
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        self._sock = listen_owner_only(self.path)
        self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                break  # shut down by stop()
            with conn:
                conn.settimeout(self.timeout_s)
                try:
                    reply = self.answer(read_line(conn, self.limit))
                    conn.sendall(reply + b"\n")
                except OSError:
                    pass  # the client went away or was too slow; nothing to keep
                except Exception:  # never let a client kill the thread
                    log.exception("%s: request failed", self.name)

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self._sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self.path.unlink(missing_ok=True)

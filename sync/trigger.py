"""Ask the running sync daemon to sync now: a small AF_UNIX socket in the data folder.

The daemon (``kiosk sync``) listens on ``DATA/sync.sock`` (owner-only); a client — the
player's admin overlay, a technician's script — connects, writes ``sync`` and a newline,
and reads one line back: ``queued`` once the daemon has moved its next manifest poll to
now. A poll that finds a new version hands it to the download job as usual, so "sync now"
never runs two syncs at once. No socket, or nobody listening (a daemon killed hard leaves
the file behind), means no daemon runs: :func:`request_sync` says so and the caller may run
one ``kiosk sync --once`` itself.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

SOCKET_NAME = "sync.sock"
REQUEST = b"sync\n"
QUEUED = "queued"
_MAX_LINE = 64


def trigger_path(data_dir: Path) -> Path:
    """Where the daemon of ``data_dir`` listens."""
    return Path(data_dir) / SOCKET_NAME


class SyncTriggerServer:
    """Accepts "sync now" requests in a thread and calls ``on_request`` for each one.

    ``on_request`` must be quick and thread-safe (it reschedules a job, it does not sync).
    """

    def __init__(self, path: Path, on_request: Callable[[], None]) -> None:
        self.path = Path(path)
        self.on_request = on_request
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)  # left by a daemon that was killed
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        old = os.umask(0o177)  # owner-only from the start
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        sock.listen(4)
        sock.settimeout(0.5)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="sync-trigger", daemon=True)
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
                conn.settimeout(2)
                try:
                    conn.sendall((self._answer(conn) + "\n").encode())
                except OSError:
                    pass  # the client went away; nothing to keep

    def _answer(self, conn: socket.socket) -> str:
        data = b""
        try:
            while not data.endswith(b"\n") and len(data) < _MAX_LINE:
                chunk = conn.recv(_MAX_LINE)
                if not chunk:
                    break
                data += chunk
        except OSError:
            return "error: no request"
        if data != REQUEST:
            return f"error: unknown request {data[:32]!r} (send {REQUEST!r})"
        try:
            self.on_request()
        except Exception as e:  # a client must never kill the listener
            log.exception("sync now request failed")
            return f"error: {type(e).__name__}: {e}"
        return QUEUED

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.path.unlink(missing_ok=True)


class TriggerError(Exception):
    """The daemon answered but refused the request (its one line is the message)."""


def request_sync(path: Path, timeout: float = 3.0) -> bool:
    """Ask the daemon listening on ``path`` to sync now.

    True once it queued the poll; False when no daemon listens there. Raises
    :class:`TriggerError` when it answers with an error, ``OSError`` for other faults
    (e.g. permission denied: the socket belongs to another user).
    """
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(REQUEST)
            data = b""
            while not data.endswith(b"\n") and len(data) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
    except (FileNotFoundError, ConnectionRefusedError):
        return False
    answer = data.decode("utf-8", "replace").strip()
    if answer != QUEUED:
        raise TriggerError(answer or "the sync daemon closed the connection without answering")
    return True


__all__ = ["SOCKET_NAME", "SyncTriggerServer", "TriggerError", "request_sync", "trigger_path"]

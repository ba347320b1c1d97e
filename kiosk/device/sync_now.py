"""\"Sync now\": the admin overlay asks the sync daemon, or runs one sync pass itself.

The daemon (``kiosk sync``, its own service) listens on ``DATA/sync.sock`` (owner-only):
a client connects, writes ``sync`` and a newline, and reads one line back, ``queued`` once
the daemon has moved its next manifest poll to now (:meth:`sync.service.SyncService.sync_now`).
A poll that finds a new version hands it to the download job as usual, so "sync now" never
runs two syncs at once.

No socket, or nobody listening (a daemon killed hard leaves the file behind), means no
daemon runs: then one ``kiosk sync --once`` runs as a child process with the player's config
and data folder; it writes its result to the cache like any sync, so the overlay's "last
sync" shows it. The player never syncs in its own process: it stays off the network. Under
its systemd unit it may not even open an internet socket (RestrictAddressFamilies), and a
child would inherit that: then the overlay says the sync service is not running instead of
starting a pass doomed to fail.

This module imports nothing of the ``sync`` package (requests, jsonschema): the player
loads it at start-up.
"""
from __future__ import annotations

import logging
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.device.unix_socket import LineServer, read_line

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Marks a message of the gettext catalogues (player/locale); the overlay translates it.
    (player.i18n has the same marker, but importing it here would load the player package.)"""
    return message


NO_NETWORK = N_("The sync service is not running, and the player may not use the network: start kiosk-sync.")
NO_API_URL = N_("No sync service is running and the config has no api.url.")

SOCKET_NAME = "sync.sock"
REQUEST = b"sync\n"
QUEUED = "queued"
_MAX_LINE = 64


def trigger_path(data_dir: Path) -> Path:
    """Where the sync daemon of ``data_dir`` listens."""
    return Path(data_dir) / SOCKET_NAME


class SyncTriggerServer:
    """The daemon's side: calls ``on_request`` for each "sync now" (in the socket's thread).

    ``on_request`` must be quick and thread-safe (it reschedules a job, it does not sync).
    """

    def __init__(self, path: Path, on_request: Callable[[], None]) -> None:
        self.path = Path(path)
        self.on_request = on_request
        self._server = LineServer(self.path, self._answer, name="sync-trigger", limit=_MAX_LINE, timeout_s=2.0)

    def start(self) -> None:
        self._server.start()

    def _answer(self, request: bytes) -> bytes:
        if request != REQUEST:
            return f"error: unknown request {request[:32]!r} (send {REQUEST!r})".encode()
        try:
            self.on_request()
        except Exception as e:  # a client must never kill the listener
            log.exception("sync now request failed")
            return f"error: {type(e).__name__}: {e}".encode()
        return QUEUED.encode()

    def stop(self) -> None:
        self._server.stop()


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
            data = read_line(s, 4096)
    except (FileNotFoundError, ConnectionRefusedError):
        return False
    answer = data.decode("utf-8", "replace").strip()
    if answer != QUEUED:
        raise TriggerError(answer or "the sync daemon closed the connection without answering")
    return True


class SyncNowError(Exception):
    """Nothing could be asked to sync; the message says why, in one line (a catalogue
    message id where there is one, so the overlay shows it in the visitor's language)."""

    expected = True  # the admin overlay logs it as one line, not as a crash


class SyncNow:
    """The admin overlay's action for one data folder (and the config the player read)."""

    def __init__(self, data_dir: Path, config_path: Path | None = None, *,
                 python: str = sys.executable) -> None:
        self.data_dir = Path(data_dir)
        self.config_path = config_path
        self.python = python
        self._once: subprocess.Popen | None = None

    def request(self) -> str:
        """``"daemon"`` (the daemon will poll now), ``"once"`` (a sync pass started) or
        ``"running"`` (the pass started earlier has not finished). Raises SyncNowError."""
        try:
            if request_sync(trigger_path(self.data_dir)):
                log.info("sync now: asked the sync daemon")
                return "daemon"
        except (TriggerError, OSError) as e:
            raise SyncNowError(f"{trigger_path(self.data_dir)}: {e}") from None
        if self._once is not None and self._once.poll() is None:
            return "running"
        self._check_api()
        args = [self.python, "-m", "kiosk", "sync", "--once", "--quiet", "--data", str(self.data_dir)]
        if self.config_path is not None:
            args += ["--config", str(self.config_path)]
        # Its error lines (one per problem) go to the player's journal.
        self._once = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      start_new_session=True)
        log.info("sync now: no sync daemon listening; started kiosk sync --once (pid %d)", self._once.pid)
        return "once"

    def _check_api(self) -> None:
        if not _internet_sockets_allowed():
            raise SyncNowError(NO_NETWORK)
        from kiosk.config import ConfigError, load_device_config

        try:
            cfg = load_device_config(self.config_path)
        except ConfigError as e:
            raise SyncNowError(str(e)) from None
        if not cfg.api.url:
            raise SyncNowError(NO_API_URL)


def _internet_sockets_allowed() -> bool:
    """False in a sandbox that refuses AF_INET sockets (systemd RestrictAddressFamilies)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except OSError:
        return False
    return True

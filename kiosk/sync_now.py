"""The admin overlay's "sync now": ask the running sync daemon, or run one sync pass.

The daemon (``kiosk sync``, its own service) listens on ``DATA/sync.sock``
(:mod:`sync.trigger`): asked there, it polls at once and downloads as usual. When no daemon
listens (a device without the service, or the service stopped), one ``kiosk sync --once``
runs as a child process with the player's config and data folder; it writes its result to
the cache like any sync, so the overlay's "last sync" shows it. The player never syncs in
its own process: it stays off the network. Under its systemd unit it may not even open an
internet socket (RestrictAddressFamilies), and a child would inherit that: then the overlay
says the sync service is not running instead of starting a pass doomed to fail.
"""
from __future__ import annotations

import logging
import socket
import subprocess
import sys
from pathlib import Path

from sync.trigger import request_sync, trigger_path

log = logging.getLogger(__name__)


class SyncNowError(Exception):
    """Nothing could be asked to sync; the message says why, in one line."""


class SyncNow:
    def __init__(self, data_dir: Path, config_path: Path | None = None, *,
                 python: str = sys.executable) -> None:
        self.data_dir = Path(data_dir)
        self.config_path = config_path
        self.python = python
        self._once: subprocess.Popen | None = None

    def request(self) -> str:
        """``"daemon"`` (the daemon will poll now), ``"once"`` (a sync pass started) or
        ``"running"`` (the pass started earlier has not finished). Raises SyncNowError."""
        if request_sync(trigger_path(self.data_dir)):
            log.info("sync now: asked the sync daemon")
            return "daemon"
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
            raise SyncNowError("the sync service (kiosk sync) is not running, and the player may "
                               "not use the network itself: start kiosk-sync")
        from .config import ConfigError
        from .sync_commands import load_device_config

        try:
            cfg = load_device_config(self.config_path)
        except ConfigError as e:
            raise SyncNowError(str(e)) from None
        if not cfg.api_url:
            raise SyncNowError("no sync daemon running and no api.url in the config")


def _internet_sockets_allowed() -> bool:
    """False in a sandbox that refuses AF_INET sockets (systemd RestrictAddressFamilies)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except OSError:
        return False
    return True

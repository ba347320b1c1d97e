"""systemd's notify protocol (sd_notify), spoken directly over its datagram socket.

READY=1 once the first frame is on screen, WATCHDOG=1 from the UI main loop (so a frozen
loop stops the pings and systemd restarts the player), STATUS= with what is on screen.
Outside systemd (no NOTIFY_SOCKET) every call does nothing.
"""
from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        env = dict(os.environ if env is None else env)
        self.address = env.get("NOTIFY_SOCKET") or None
        if self.address and self.address.startswith("@"):
            self.address = "\0" + self.address[1:]  # abstract namespace
        usec = env.get("WATCHDOG_USEC")
        pid = env.get("WATCHDOG_PID")
        valid = usec is not None and usec.isdigit() and (not pid or pid == str(os.getpid()))
        self.watchdog_usec = int(usec) if usec is not None and valid else None
        self._sock: socket.socket | None = None
        self._last_status = ""

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def watchdog_interval_s(self) -> float | None:
        """How often to ping: half the watchdog timeout, as systemd recommends."""
        return self.watchdog_usec / 2e6 if self.watchdog_usec else None

    def send(self, message: str) -> bool:
        if not self.address:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                # Never block the UI loop: if nobody reads the socket, drop the message.
                self._sock.setblocking(False)
            self._sock.sendto(message.encode(), self.address)
            return True
        except BlockingIOError:
            return False
        except OSError as e:
            log.warning("sd_notify failed: %s", e)
            return False

    def ready(self, status: str = "") -> None:
        self._last_status = status
        self.send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def status(self, text: str) -> None:
        if text != self._last_status:
            self._last_status = text
            self.send(f"STATUS={text}")

    def stopping(self) -> None:
        self.send("STOPPING=1")

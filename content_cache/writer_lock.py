"""One writer at a time per cache folder: the sync daemon's passes, ``kiosk sync --once``,
a content pack's import.

Two writers would share partial downloads, collect each other's files as garbage and
switch versions under each other's feet. The lock is ``flock(2)`` on ``writer.lock`` in the
cache folder, held by the process (released by the kernel when it dies, even by
SIGKILL); the file names the holder (``pid role``) for the one line the next writer
prints. The player and ``kiosk status`` only read, and never take it.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import threading
import time
from pathlib import Path

from .errors import WriterBusy
from .faults import storage_fault

log = logging.getLogger(__name__)

LOCK_NAME = "writer.lock"


class WriterLock:
    """The writer lock of the cache folder ``root``; ``role`` says who holds it
    ("sync --once", "sync daemon", "import")."""

    def __init__(self, root: Path | str, role: str) -> None:
        self.root = Path(root)
        self.path = self.root / LOCK_NAME
        self.role = role
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait_s: float = 0.0, stop: threading.Event | None = None) -> None:
        """Take the lock, waiting up to ``wait_s`` seconds (less if ``stop`` is set);
        raises :class:`WriterBusy` naming the holder, or a storage fault if the lock file
        cannot be made (a read-only folder: then nobody writes there)."""
        if self._fd is not None:
            return
        fd = self._open()
        deadline = time.monotonic() + wait_s
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pass
                left = deadline - time.monotonic()
                if left <= 0 or (stop is not None and stop.is_set()):
                    pid, role = self.holder()
                    raise WriterBusy(_busy_line(pid, role), pid, role)
                if stop is not None:
                    stop.wait(min(0.1, left))
                else:
                    time.sleep(min(0.1, left))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        with contextlib.suppress(OSError):  # the lock holds without the note (a file of another user)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {self.role}\n".encode(), 0)

    def _open(self) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EPERM) and self.path.exists():
                # Made by another user (a technician's sudo): flock needs no write access.
                return os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            fault = storage_fault(e, self.root.parent)
            if fault is not None:
                raise fault from None
            raise

    def holder(self) -> tuple[int | None, str]:
        """(pid, role) written by the holder, as far as the file says."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None, ""
        pid, _, role = text.partition(" ")
        return (int(pid) if pid.isdigit() else None), role

    def release(self) -> None:
        if self._fd is not None:
            # The note goes first: a writer waiting reads the next holder's.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _busy_line(pid: int | None, role: str) -> str:
    who = f"pid {pid}" if pid else "pid unknown"
    if role:
        who += f", {role}"
    return f"another sync is running ({who})"

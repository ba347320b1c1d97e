"""Partial downloads no wanted version needs: collected, after a grace period or at once.

A partial download (``media/tmp/<sha256>.part``) is kept so that the next attempt, even
after a SIGKILL, resumes it. But the version it was for may have been withdrawn, or the
device may need the room: a partial of a file that neither the version being synced nor
the live one needs is removed once it has not been written for ``grace_s`` seconds, and
at once under disk pressure (a version that does not fit otherwise, a disk too full to
open the database). A partial still being written (locked by its writer) is never
touched. The caller holds the cache's writer lock.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from .faults import human_bytes
from .media_address import SHA256_RE
from .store import MediaStore

log = logging.getLogger(__name__)

DEFAULT_GRACE_S = 24 * 3600.0


@dataclass(frozen=True)
class Collected:
    files: int = 0
    bytes: int = 0


def partial_bytes(store: MediaStore, sha256: str) -> int:
    """Bytes already in the partial download of ``sha256`` (0 if none)."""
    try:
        return store.partial_path(sha256).stat().st_size
    except OSError:
        return 0


def collect_partials(
    store: MediaStore, wanted: Collection[str], now: float, grace_s: float = DEFAULT_GRACE_S,
    *, pressure: bool = False,
) -> Collected:
    """Remove the partial downloads (and stray temp files) of ``store`` that no ``wanted``
    digest is, last written more than ``grace_s`` seconds before ``now`` (a POSIX
    time) — or all of them under ``pressure``."""
    tmp = store.root / "tmp"
    try:
        entries = list(os.scandir(tmp))
    except FileNotFoundError:
        return Collected()
    files = size = 0
    for entry in entries:
        name = entry.name
        digest = name.removesuffix(".part")
        if name.endswith(".part") and SHA256_RE.match(digest) and digest in wanted:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if not pressure and now - st.st_mtime < grace_s:
            continue
        if _remove_unless_written(Path(entry.path)):
            files += 1
            size += st.st_size
    if files:
        why = "the disk is short of space" if pressure else f"not written for {grace_s / 3600:g} h"
        log.info("removed %d partial download(s) (%s) that no wanted version needs: %s",
                 files, human_bytes(size), why)
    return Collected(files, size)


def _remove_unless_written(path: Path) -> bool:
    """Unlink ``path`` unless a writer holds its lock; True if removed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:  # not a regular file we can open (a folder someone made): leave it
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return True
    finally:
        os.close(fd)

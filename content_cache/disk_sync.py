"""Making bytes and names durable in the media store: fsync of a folder, syncfs(2) of its
filesystem, and an early start of a file's writeback (sync_file_range(2)).

The C library's functions are looked up once, and may be missing (then the callers sync
file by file).
"""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@cache
def _libc(name: str) -> Any:
    """A function of the C library (with errno kept), or None where it has none."""
    try:
        import ctypes

        fn = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (ImportError, OSError, AttributeError):
        return None
    if name == "sync_file_range":  # off64_t offsets, also on 32-bit ARM
        fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    return fn


def _syncfs(path: Path) -> bool:
    """syncfs(2) on the filesystem holding ``path``: every dirty page and inode of it is on
    disk when this returns (write errors reported since Linux 5.8). False where the C
    library has no syncfs (the caller then syncs file by file)."""
    syncfs = _libc("syncfs")
    if syncfs is None:
        return False
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if syncfs(fd) != 0:
            import ctypes

            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(path))
    finally:
        os.close(fd)
    return True


_SYNC_FILE_RANGE_WRITE = 2


def _start_writeback(fd: int) -> None:
    """Have the kernel start writing a file's dirty pages now, without waiting for them.

    Only a head start: the filesystem sync before the rename is still what makes them
    durable, and it then has little left to wait for (Linux's own writeback would start
    them only after ~30 s, or once 10 % of memory is dirty)."""
    fn = _libc("sync_file_range")
    if fn is not None:
        fn(fd, 0, 0, _SYNC_FILE_RANGE_WRITE)  # a failure here is the sync's to report

"""What the disk under the cache says when a write fails, in one line for a technician.

A full filesystem, a read-only mount (an SD card with errors is remounted read-only), a
folder the service's user may not write, a damaged database file: each surfaces as an
``OSError`` from a file write or as a ``sqlite3`` error (possibly wrapped by SQLAlchemy).
:func:`storage_fault` turns those into :class:`NoSpace` or :class:`ReadOnlyFolder` with a
line naming the folder and the cause; :func:`is_damage` recognises a damaged database.
Imports nothing but the standard library.
"""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from .errors import NoSpace, ReadOnlyFolder, StorageFault

# SQLite's primary result codes (the low byte of sqlite_errorcode)
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26

# Below this, an I/O error of SQLite (a -shm it could not size, a write it could not
# make) is taken for a full disk.
LOW_SPACE_BYTES = 1 << 20


def human_bytes(n: int) -> str:
    """``0 bytes``, ``512 kB``, ``31.0 MB``, ``2.4 GB`` (decimal units, as df -H)."""
    if n < 1000:
        return f"{n} bytes"
    if n < 1_000_000:
        return f"{n / 1e3:.0f} kB"
    if n < 1_000_000_000:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e9:.1f} GB"


def free_bytes(folder: Path) -> int:
    """Bytes this process may still write on ``folder``'s filesystem (as ``df``'s Avail:
    without the blocks reserved for root); 0 if the folder cannot be looked at."""
    for p in (folder, *folder.parents):
        try:
            return shutil.disk_usage(p).free
        except OSError:
            continue
    return 0


def _sqlite_code(e: BaseException) -> int | None:
    code = getattr(e, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _unwrap(e: BaseException) -> BaseException:
    """The DBAPI error under a SQLAlchemy one (``.orig``), else ``e``."""
    orig = getattr(e, "orig", None)
    return orig if isinstance(orig, BaseException) else e


def is_damage(e: BaseException) -> bool:
    """True for SQLite's "file is not a database" and "database disk image is malformed"."""
    return _sqlite_code(_unwrap(e)) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def why_not_writable(folder: Path) -> str | None:
    """None if a file can be created in ``folder`` (made if missing), else ``FOLDER: cause``
    with a remedy: a read-only mount, or no permission for this user."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / f".write-probe-{os.getpid()}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as e:
        return _cause(e, folder)
    os.close(fd)
    try:
        os.unlink(folder / f".write-probe-{os.getpid()}")
    except OSError as e:
        return _cause(e, folder)
    return None


def _existing(folder: Path) -> Path:
    for p in (folder, *folder.parents):
        if p.exists():
            return p
    return folder


def _cause(e: OSError, folder: Path) -> str:
    if e.errno == errno.EROFS:
        return (f"{_existing(folder)}: read-only file system (see `findmnt -T {_existing(folder)}`; "
                "a storage card with errors is remounted read-only: check `dmesg`)")
    if e.errno in (errno.EACCES, errno.EPERM):
        where = Path(e.filename) if e.filename else folder
        where = _existing(where if where.is_dir() else where.parent)
        try:
            st = where.stat()
            import grp
            import pwd

            owner = f"{pwd.getpwuid(st.st_uid).pw_name}:{grp.getgrgid(st.st_gid).gr_name}"
            mode = f", mode {st.st_mode & 0o7777:o}"
        except (OSError, KeyError):
            owner, mode = "another user", ""
        user = _user()
        return (f"{where}: permission denied for user {user} (the folder belongs to {owner}{mode}; "
                f"run as the service's user or `chown -R {user}: {where}`)")
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{_existing(folder)}: no space left ({human_bytes(free_bytes(folder))} free)"
    return f"{e.filename or folder}: {e.strerror or e}"


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, ImportError):
        return str(os.geteuid())


def storage_fault(e: BaseException, folder: Path) -> StorageFault | None:
    """``e`` as :class:`NoSpace` or :class:`ReadOnlyFolder` when the disk under ``folder``
    refused a write (full, read-only, no permission), else None (a bug, a damaged file...).

    ``folder`` is the data folder a technician is told about.
    """
    if isinstance(e, StorageFault):
        return e
    e = _unwrap(e)
    if isinstance(e, OSError):
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            return no_space(folder)
        if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return ReadOnlyFolder(f"cannot write to {_cause(e, Path(e.filename or folder))}", folder)
        return None
    code = _sqlite_code(e)
    if code is None:
        return None
    if code == _SQLITE_FULL or (code == _SQLITE_IOERR and free_bytes(folder) < LOW_SPACE_BYTES):
        return no_space(folder)
    if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_IOERR):
        cause = why_not_writable(folder) or why_not_writable(folder / "cache")
        if cause is not None:
            return ReadOnlyFolder(f"cannot write to {cause}", folder)
    return None


def no_space(folder: Path, what: str = "") -> NoSpace:
    """The one line of a full disk: ``no space left on FOLDER: N free[, WHAT]``."""
    free = free_bytes(folder)
    return NoSpace(f"no space left on {folder}: {human_bytes(free)} free" + (f", {what}" if what else ""),
                   folder, free)

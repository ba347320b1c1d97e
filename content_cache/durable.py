"""Small files replaced atomically and durably: the one way the project writes them.

A reader sees the old bytes or the new ones, never a mix; after a power cut the file holds
one of the two. Used for the media store's neighbours (saved manifests), and by the device
(provisioned config and token, node_exporter's textfile) and the town's side (sources'
state, the editor's TOML files). Large media are streamed by the store itself.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes, *, mode: int | None = None, owner: tuple[int, int] | None = None,
                 sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data``: a temporary file beside it, written and fsynced, then
    renamed over it (and the folder synced, unless ``sync_dir`` is false).

    ``mode``: the file's mode, set before any byte is written (a secret is never readable by
    others, not even briefly); None keeps the mode of the file it replaces, else the
    umask's. ``owner``: (uid, gid) to give the file. The parent folders are made.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = _umask_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        if owner is not None:
            os.fchown(fd, *owner)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

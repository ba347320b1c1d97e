"""Real storage faults for tests: a small filesystem (tmpfs), a read-only bind mount, a
damaged database file, a disk filled to the last byte, and the checks that must hold
after each: nothing under a final name with wrong bytes, the live version whole.

Mounting needs root (or CAP_SYS_ADMIN); where it is refused, the test is skipped and
says why.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .helpers import wait_for  # noqa: F401 - the storage tests import it from here


def _mount(*args: str) -> None:
    r = subprocess.run(["mount", *args], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount here (`mount {' '.join(args)}`: {r.stderr.strip() or r.returncode}); "
                    "the storage fault tests need root or CAP_SYS_ADMIN")


def _umount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)  # still busy: detach it


@contextmanager
def small_filesystem(path: Path, size_mb: int) -> Iterator[Path]:
    """A tmpfs of ``size_mb`` MB mounted at ``path`` (made), unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


@contextmanager
def read_only_view(src: Path, dst: Path) -> Iterator[Path]:
    """``src`` seen read-only at ``dst`` (a read-only bind mount), as after
    ``mount -o remount,ro`` of a card with errors."""
    dst.mkdir(parents=True, exist_ok=True)
    _mount("--bind", str(src), str(dst))
    try:
        r = subprocess.run(["mount", "-o", "remount,ro,bind", str(dst)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot make a read-only bind mount here: {r.stderr.strip()}")
        yield dst
    finally:
        _umount(dst)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill ``folder``'s filesystem until ``leave`` bytes are free; returns the filler."""
    filler = folder / f"filler-{time.monotonic_ns()}"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        free = shutil.disk_usage(folder).free - leave
        if free > 0:
            try:
                os.posix_fallocate(fd, 0, free)
            except OSError:  # not supported there: write it
                chunk = b"\0" * (1 << 20)
                with open(fd, "wb", closefd=False) as f:
                    try:
                        while shutil.disk_usage(folder).free > leave:
                            f.write(chunk[: max(4096, min(len(chunk), shutil.disk_usage(folder).free - leave))])
                            f.flush()
                    except OSError:
                        pass
    finally:
        os.close(fd)
    return filler


DAMAGES = ("cut in half", "garbage", "garbage header", "three pages of garbage")


def damage(db: Path, how: str) -> None:
    """Damage a closed database file the ways storage does."""
    data = bytearray(db.read_bytes())
    noise = hashlib.sha256(how.encode()).digest() * (len(data) // 32 + 1)
    if how == "cut in half":
        data = data[: len(data) // 2]
    elif how == "garbage":
        data = noise[: len(data)]
    elif how == "garbage header":
        data[:100] = noise[:100]
    elif how == "three pages of garbage":
        page = int.from_bytes(data[16:18], "big") or 65536
        data[3 * page:6 * page] = noise[: 3 * page]
    else:
        raise ValueError(how)
    db.write_bytes(bytes(data))


def final_names_verified(data: Path) -> int:
    """Every file under a final name in the store hashes to its name; how many there are."""
    objects = data / "cache" / "media" / "sha256"
    n = 0
    for path in objects.glob("*/*") if objects.is_dir() else []:
        h = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        assert h.hexdigest() == path.name, f"{path} has wrong bytes"
        n += 1
    return n


def partials(data: Path) -> list[Path]:
    tmp = data / "cache" / "media" / "tmp"
    return sorted(tmp.iterdir()) if tmp.is_dir() else []


def live_version(data: Path) -> str | None:
    """The live version, read as the player reads it (no write)."""
    uri = (data / "cache" / "cache.sqlite").resolve().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True)
    try:
        return con.execute("SELECT live_version_id FROM live_pointer").fetchone()[0]
    finally:
        con.close()


def errors(stderr: str) -> list[str]:
    """The ``kiosk: error:`` lines of a command's output, without the prefix."""
    return [m.group(1) for m in re.finditer(r"^kiosk: error: (.*)$", stderr, re.M)]


NOBODY = 65534  # uid and gid of nobody/nogroup


def kiosk(*args: str, uid: int | None = None, timeout: float = 120,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``kiosk ARGS`` (as user ``uid`` through setpriv when given)."""
    cmd = [sys.executable, "-m", "kiosk", *args]
    if uid is not None:
        cmd = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *cmd]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)


def add_big_video(src: Path, name: str, size: int, seed: int = 1) -> str:
    """A video of ``size`` bytes in the content folder's loop; returns its sha256."""
    import random

    body = b"\x00\x00\x00\x18ftypmp42" + random.Random(seed).randbytes(size - 12)
    (src / "media" / name).write_bytes(body)
    with (src / "playlists" / "lobby.toml").open("a") as f:
        f.write(f'\n[[items]]\nid = "video-{seed}"\ntype = "video"\nfile = "media/{name}"\n')
    return hashlib.sha256(body).hexdigest()


def drop_video(src: Path, name: str, seed: int) -> None:
    """Take a video added by :func:`add_big_video` out of the content folder again."""
    (src / "media" / name).unlink()
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text().replace(
        f'\n[[items]]\nid = "video-{seed}"\ntype = "video"\nfile = "media/{name}"\n', ""))



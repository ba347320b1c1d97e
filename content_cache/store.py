"""Content-addressed media store.

Files live under ``<root>/sha256/<2 hex>/<64 hex>``. A file only ever appears under
its final name after its bytes were hashed, sized, fsynced and atomically renamed, so a
name in the store is a promise about its content. Partial downloads live in ``tmp/``.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class StoreError(Exception):
    """Base class of media store errors."""


class MediaVerificationError(StoreError):
    """Bytes received do not match the expected sha256 or size."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_sha256(value: str) -> str:
    """Return ``value`` if it is a lowercase hex sha256, else raise ``ValueError``."""
    if not isinstance(value, str) or not SHA256_RE.match(value):
        raise ValueError(f"not a sha256 hex digest: {value!r}")
    return value


class MediaStore:
    """A directory of media files named by their sha256."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._objects = self.root / "sha256"
        self._tmp = self.root / "tmp"

    def ensure(self) -> None:
        self._objects.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        """Final path of a file; the digest is checked so no caller can escape the store."""
        check_sha256(sha256)
        return self._objects / sha256[:2] / sha256

    def has(self, sha256: str, size: int | None = None) -> bool:
        """True if the file is present (and of ``size`` bytes when given); cheap, no hashing."""
        try:
            st = self.path_for(sha256).stat()
        except FileNotFoundError:
            return False
        return size is None or st.st_size == size

    def verify(self, sha256: str, size: int | None = None) -> bool:
        """Hash the stored file and compare; a full read of the file."""
        path = self.path_for(sha256)
        try:
            h = hashlib.sha256()
            n = 0
            with path.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    h.update(chunk)
                    n += len(chunk)
        except FileNotFoundError:
            return False
        return h.hexdigest() == sha256 and (size is None or n == size)

    def put_verified(
        self, chunks: Iterable[bytes], sha256: str, size: int
    ) -> StoredFile:
        """Stream ``chunks`` into the store, keeping them only if they hash to ``sha256``.

        The data goes to a temp file in the store (same filesystem), is checked for size
        and hash, fsynced, renamed atomically to its content address, and the directory
        is fsynced. On any mismatch the temp file is removed and
        :class:`MediaVerificationError` is raised; nothing appears under the final name.
        """
        final = self.path_for(sha256)
        self.ensure()
        h = hashlib.sha256()
        received = 0
        fd, tmp_name = tempfile.mkstemp(prefix=sha256[:16] + ".", suffix=".part", dir=self._tmp)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    if not chunk:
                        continue
                    received += len(chunk)
                    if received > size:
                        raise MediaVerificationError(
                            f"media {sha256}: more than the announced {size} bytes received"
                        )
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if received != size:
                raise MediaVerificationError(
                    f"media {sha256}: received {received} bytes, expected {size}"
                )
            digest = h.hexdigest()
            if digest != sha256:
                raise MediaVerificationError(
                    f"media {sha256}: content hashes to {digest}"
                )
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredFile(sha256=sha256, size=size, path=final)

    def put_file(self, src: BinaryIO, sha256: str, size: int) -> StoredFile:
        """Copy a local file-like object into the store with the same checks."""
        return self.put_verified(iter(lambda: src.read(_CHUNK), b""), sha256, size)

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def list_digests(self) -> set[str]:
        """Digests of every file under a final name."""
        if not self._objects.is_dir():
            return set()
        return {
            p.name
            for sub in self._objects.iterdir()
            if sub.is_dir()
            for p in sub.iterdir()
            if SHA256_RE.match(p.name)
        }

    def clear_temp(self) -> int:
        """Remove leftover partial files (from a killed download); returns how many."""
        if not self._tmp.is_dir():
            return 0
        n = 0
        for p in self._tmp.iterdir():
            p.unlink(missing_ok=True)
            n += 1
        if n:
            log.info("removed %d partial download(s) from %s", n, self._tmp)
        return n

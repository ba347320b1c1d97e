"""One file's verified write into the media store: :class:`PartialDownload`.

A download in progress (HTTP, or a copy from a USB pack) is kept in ``tmp/<sha256>.part``
so a later attempt resumes it; it gets its content address only once its size and sha256
were checked and its bytes are durable. :func:`read_chunks` feeds it from a local file.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from .disk_sync import _fsync_dir, _start_writeback
from .errors import MediaVerificationError, PartialBusy
from .media_address import _CHUNK, StoredFile


class _Store(Protocol):
    """What a partial download needs of its store (a :class:`~content_cache.store.MediaStore`)."""

    def ensure(self) -> None: ...

    def path_for(self, sha256: str) -> Path: ...

    def partial_path(self, sha256: str) -> Path: ...


class _Batch(Protocol):
    """What it needs of its batch (a :class:`~content_cache.store.BatchedStore`)."""

    def queue(self, part: PartialDownload) -> StoredFile: ...


def read_chunks(src: io.BufferedIOBase, chunk_size: int = _CHUNK) -> Iterator[memoryview]:
    """Chunks of a local file, read into one reused buffer (no new 1 MB object per read).

    Each view is only valid until the next one is asked for.
    """
    buf = bytearray(chunk_size)
    view = memoryview(buf)
    while n := src.readinto(buf):
        yield view[:n]


class PartialDownload:
    """A download in progress, kept in ``tmp/<sha256>.part`` so a later attempt resumes.

    The bytes already there are re-hashed when the download resumes (a partial file is
    never trusted beyond its length, and its hash is checked at the end anyway). While
    open, the file is locked (``flock``): a second writer of the same file — another
    process that did not take the cache's writer lock — gets :class:`PartialBusy`
    instead of appending its bytes to ours. The lock is kept until the verified file has
    its final name, so nothing can be added between the check and the rename.
    """

    def __init__(self, store: _Store, sha256: str, size: int) -> None:
        self.store = store
        self.sha256 = sha256
        self.size = size
        self.path = store.partial_path(sha256)
        self._hash = hashlib.sha256()
        self._file: BinaryIO | None = None
        self.offset = 0
        self.batch: _Batch | None = None  # set by BatchedStore.partial
        self._queued = False  # verified and waiting for its batch's rename: kept open

    def resume(self) -> int:
        """Open for appending after the bytes already present; returns the offset."""
        self.close()
        self._hash = hashlib.sha256()
        self.offset = 0
        self._file = f = self._open()  # created if absent; writes go to the end
        f.seek(0)
        while chunk := f.read(_CHUNK):
            self._hash.update(chunk)
            self.offset += len(chunk)
        if self.offset > self.size:
            return self.restart()
        return self.offset

    def restart(self) -> int:
        """Throw away what was there (e.g. the server ignored our Range)."""
        self.close()
        self._hash = hashlib.sha256()
        self.offset = 0
        self._file = f = self._open()
        f.truncate(0)  # only once locked: another writer's bytes are not ours to cut
        return 0

    def _open(self) -> BinaryIO:
        try:
            f = self.path.open("a+b")
        except FileNotFoundError:  # tmp/ removed behind the store's back
            self.store.ensure()
            f = self.path.open("a+b")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            raise PartialBusy(f"media {self.sha256}: its partial download is being written by another "
                              "process") from None
        return f

    def fileno(self) -> int:
        assert self._file is not None
        return self._file.fileno()

    def write(self, chunk: bytes | memoryview) -> None:
        if not chunk:
            return
        if self._file is None:
            self.resume()
        assert self._file is not None
        if self.offset + len(chunk) > self.size:
            raise MediaVerificationError(
                f"media {self.sha256}: more than the announced {self.size} bytes received"
            )
        self._file.write(chunk)
        self._hash.update(chunk)
        self.offset += len(chunk)

    def append_and_commit(
        self,
        chunks: Iterable[bytes | memoryview],
        *,
        on_bytes: Callable[[int], None] | None = None,
        between_chunks: Callable[[], None] | None = None,
    ) -> StoredFile:
        """Append ``chunks`` after the bytes already there, then :meth:`commit` them.

        The one loop behind every verified copy into the store (HTTP download, USB pack).
        ``on_bytes(n)`` is told of each chunk written; ``between_chunks()`` runs after each
        and may raise to interrupt (a deadline, a stop request), and so may ``chunks``
        itself (a broken connection): what was written stays for resuming. A chunk may
        be a view of a reused buffer: it is consumed before the next is asked for. More
        bytes than announced, a wrong size or hash: the partial file is deleted and
        :class:`MediaVerificationError` raised; nothing gets the final name.
        """
        try:
            for chunk in chunks:
                self.write(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
                if between_chunks is not None:
                    between_chunks()
        except MediaVerificationError:
            self.discard()
            raise
        return self.commit()

    @property
    def complete(self) -> bool:
        return self.offset == self.size

    def commit(self) -> StoredFile:
        """Verify size and hash, fsync, rename to the content address, fsync the directory.

        On a mismatch the partial file is deleted (it can never become right by resuming).
        Of a :class:`BatchedStore`: verified now, made durable and renamed at its flush.
        """
        if self._file is None:
            self.resume()
        assert self._file is not None
        self._file.flush()
        if self.batch is None:
            os.fdatasync(self._file.fileno())  # data and size; enough before the rename
        else:
            _start_writeback(self._file.fileno())  # the batch's sync then waits for less
        on_disk = os.fstat(self._file.fileno()).st_size
        if self.offset != self.size or on_disk != self.size:
            message = f"media {self.sha256}: received {self.offset} bytes, expected {self.size}"
            if on_disk != self.offset:
                message += f" ({on_disk} in the partial file)"
            self.discard()
            raise MediaVerificationError(message)
        digest = self._hash.hexdigest()
        if digest != self.sha256:
            self.discard()
            raise MediaVerificationError(f"media {self.sha256}: content hashes to {digest}")
        if self.batch is not None:
            self._queued = True  # open and locked until its batch renames it
            return self.batch.queue(self)
        try:
            final = self.store.path_for(self.sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path, final)
            _fsync_dir(final.parent)
        finally:
            self.release()
        return StoredFile(sha256=self.sha256, size=self.size, path=final)

    def close(self) -> None:
        """Close (and unlock) the partial file; a verified file waiting for its batch's
        rename stays open until then (:meth:`release`)."""
        if not self._queued:
            self.release()

    def release(self) -> None:
        self._queued = False
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # gone, or a read-only disk: its hash is checked again anyway
            self.path.unlink()  # still locked: nobody else had it open
        self.release()
        self.offset = 0

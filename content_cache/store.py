"""Content-addressed media store.

Files live under ``<root>/sha256/<2 hex>/<64 hex>``. A file only ever appears under
its final name after its bytes were hashed, sized, fsynced and atomically renamed, so a
name in the store is a promise about its content. Partial downloads live in ``tmp/``.
:class:`BatchedStore` keeps that promise for many files at once, with two filesystem
syncs instead of two per file.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InvalidDigest, MediaVerificationError, PartialBusy

log = logging.getLogger(__name__)

SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")  # \Z: `$` would also take a final "\n"
_CHUNK = 1 << 20


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


def check_sha256(value: str) -> str:
    """Return ``value`` if it is a lowercase hex sha256, else raise :class:`InvalidDigest`
    (a ``ValueError``)."""
    if not isinstance(value, str) or not SHA256_RE.match(value):
        raise InvalidDigest(f"not a sha256 hex digest: {value!r}")
    return value


class MediaStore:
    """A directory of media files named by their sha256."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._objects = self.root / "sha256"
        self._tmp = self.root / "tmp"
        self._ensured = False

    def ensure(self) -> None:
        self._objects.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._ensured = True

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

    def partial(self, sha256: str, size: int) -> PartialDownload:
        """The resumable partial file of ``sha256`` (created empty if absent)."""
        if not self._ensured:  # once; a tmp/ removed later is made again on open
            self.ensure()
        return PartialDownload(self, sha256, size)

    def put_verified(
        self, chunks: Iterable[bytes], sha256: str, size: int
    ) -> StoredFile:
        """Stream ``chunks`` into the store, keeping them only if they hash to ``sha256``.

        The data goes to a temp file in the store (same filesystem), is checked for size
        and hash, fsynced, renamed atomically to its content address, and the directory
        is fsynced. On any mismatch the temp file is removed and
        :class:`MediaVerificationError` is raised; nothing appears under the final name.
        """
        part = self.partial(sha256, size)
        part.restart()
        try:
            return part.append_and_commit(chunks)
        except BaseException:
            part.discard()
            raise
        finally:
            part.close()

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

    def partial_path(self, sha256: str) -> Path:
        return self._tmp / f"{check_sha256(sha256)}.part"

    def clear_temp(self, keep: set[str] | None = None) -> int:
        """Remove leftover temp files, except the partial downloads of ``keep`` digests."""
        if not self._tmp.is_dir():
            return 0
        n = 0
        for p in self._tmp.iterdir():
            digest = p.name.removesuffix(".part")
            if keep and p.name.endswith(".part") and digest in keep:
                continue
            p.unlink(missing_ok=True)
            n += 1
        if n:
            log.info("removed %d stale partial download(s) from %s", n, self._tmp)
        return n

    def bytes_used(self) -> int:
        """Bytes of all files under final names and partial downloads."""
        total = 0
        for base in (self._objects, self._tmp):
            if base.is_dir():
                for p in base.rglob("*"):
                    if p.is_file():
                        total += p.stat().st_size
        return total


class BatchedStore(MediaStore):
    """The same store, whose downloads get their final names in batches.

    Made durable one by one, every file costs an fdatasync and a directory fsync: two
    journal commits (on the development VM, 1.2 s of a 3.2 s download of 200 files one
    after the other). Here :meth:`PartialDownload.commit` checks size and sha256 at once
    (a bad file is deleted and raises, as ever) and queues the good file under its temp
    name; :meth:`flush` — on its own every ``max_pending_bytes`` or ``max_pending_files``, and
    when the ``with`` block ends — syncs the filesystem (every queued file's bytes on
    disk), renames each to its content address, and syncs again (the names on disk).

    The promise is unchanged: no final name before its verified bytes are durable, and
    once :meth:`flush` returns the names are durable too (a version switch comes after).
    A file queued but not yet renamed when the process dies stays a complete ``.part``,
    re-hashed and committed by the next attempt. Safe to use from several threads.
    """

    def __init__(self, store: MediaStore, *, max_pending_bytes: int = 64 << 20, max_pending_files: int = 128) -> None:
        super().__init__(store.root)
        self.max_pending_bytes = max_pending_bytes
        self.max_pending_files = max_pending_files
        self._lock = threading.Lock()
        self._pending: list[PartialDownload] = []
        self._pending_bytes = 0
        self._made: set[Path] = set()  # folders made by an earlier flush

    def partial(self, sha256: str, size: int) -> PartialDownload:
        part = super().partial(sha256, size)
        part.batch = self
        return part

    def queue(self, part: PartialDownload) -> StoredFile:
        """Take a verified, closed partial download; it gets its final name at the next flush."""
        with self._lock:
            self._pending.append(part)
            self._pending_bytes += part.size
            full = len(self._pending) >= self.max_pending_files or self._pending_bytes >= self.max_pending_bytes
        if full:
            self.flush()
        return StoredFile(sha256=part.sha256, size=part.size, path=self.path_for(part.sha256))

    def flush(self) -> int:
        """Make the queued files durable, rename them, make the names durable; how many."""
        with self._lock:
            todo, self._pending, self._pending_bytes = self._pending, [], 0
        if not todo:
            return 0
        try:
            batched = _syncfs(self.root)
            if not batched:
                for part in todo:
                    os.fdatasync(part.fileno())
            folders: set[Path] = set()
            for part in todo:
                final = self.path_for(part.sha256)
                if final.parent not in self._made:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    self._made.add(final.parent)
                try:
                    os.replace(part.path, final)
                except FileNotFoundError:  # its folder was removed since: once more, made again
                    final.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(part.path, final)
                folders.add(final.parent)
            if not (batched and _syncfs(self.root)):
                for folder in folders:
                    _fsync_dir(folder)
        finally:
            for part in todo:  # each was kept open (and locked) until renamed
                part.release()
        return len(todo)

    def __enter__(self) -> BatchedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        # Even when leaving on an error or a stop: the queued files are verified and whole.
        self.flush()


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

    def __init__(self, store: MediaStore, sha256: str, size: int) -> None:
        self.store = store
        self.sha256 = sha256
        self.size = size
        self.path = store.partial_path(sha256)
        self._hash = hashlib.sha256()
        self._file: BinaryIO | None = None
        self.offset = 0
        self.batch: BatchedStore | None = None  # set by BatchedStore.partial
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

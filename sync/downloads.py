"""Verified media downloads into the store, a few at a time, in background threads.

Needs the media store only (no database, no SQLAlchemy); the syncer uses it for
everything it fetches.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from content_cache import BatchedStore, MediaStore

from .errors import Stopped, SyncError
from .source import ContentSource

log = logging.getLogger(__name__)


@dataclass
class Progress:
    """Counters a terminal or a test can watch while a sync runs (updated under a lock)."""

    files_total: int = 0
    files_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate_bytes_s(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.bytes_done / elapsed if elapsed > 0 else 0.0


class _Aborted(Exception):
    """Raised into a download when another one met a disk fault: all of them stop."""


class Downloads:
    """Files fetched in parallel (``sync.parallel_downloads``), biggest first, each verified.

    :meth:`add` queues files and returns at once; :meth:`wait` returns what was fetched and
    the failures once every queued file is done. Verified files get their final names in
    batches (:class:`content_cache.BatchedStore`): two filesystem syncs per batch instead of
    two per file; when :meth:`wait` returns, all of them are named and durable — also when it
    raises (:class:`Stopped`, or an unexpected error of a download thread).

    A download that meets a disk fault (an ``OSError`` of the store: no space left, a
    read-only filesystem) stops the others at their next chunk — they would meet it too —
    and :meth:`wait` raises that error once all have ended.
    """

    def __init__(
        self,
        source: ContentSource,
        store: MediaStore,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.source = source
        self.store = BatchedStore(store)
        self.progress = Progress()
        self._on_progress = progress
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, source.settings.parallel_downloads), thread_name_prefix="download"
        )
        self._futures: list[Future[None]] = []
        self.requested: dict[str, int] = {}
        self.fetched: list[str] = []
        self.failures: list[str] = []
        self._fault: OSError | None = None  # the first disk fault of a download

    def add(self, files: dict[str, int]) -> None:
        """Start fetching ``files`` (sha256 → size) not asked for already."""
        new = {sha: size for sha, size in files.items() if sha not in self.requested}
        if not new:
            return
        self.requested.update(new)
        with self._lock:
            self.progress.files_total += len(new)
            self.progress.bytes_total += sum(new.values())
        self._report()
        # Biggest first: the long downloads start early and the pool drains evenly.
        for sha, size in sorted(new.items(), key=lambda kv: -kv[1]):
            self._futures.append(self._pool.submit(self._one, sha, size))

    def wait(self) -> tuple[list[str], list[str]]:
        """(fetched, failure lines) once all is done; raises :class:`Stopped` when stopped."""
        stopped = False
        error: BaseException | None = None
        try:
            for f in self._futures:
                try:
                    f.result()
                except Stopped:
                    stopped = True
                except BaseException as e:  # noqa: BLE001 - re-raised once all have ended
                    error = error or e
        finally:
            self._pool.shutdown(wait=True)
            # Even when leaving on an error or a stop: the queued files are verified and whole.
            self.store.flush()
        if error is not None:
            raise error
        if stopped:
            raise Stopped("sync stopped")
        if self._fault is not None:
            raise self._fault
        return list(self.fetched), list(self.failures)

    def _one(self, sha: str, size: int) -> None:
        prog = self.progress

        def on_bytes(n: int) -> None:
            if self._fault is not None:
                raise _Aborted
            with self._lock:
                prog.bytes_done += n
            self._report()

        if self._fault is not None:
            return
        try:
            self.source.download_media(self.store, sha, size, on_bytes)
        except Stopped:
            raise
        except _Aborted:
            return
        except OSError as e:  # the store's disk (the network's errors are the client's SyncErrors)
            with self._lock:
                if self._fault is None:
                    log.warning("downloads stopped: %s", e)
                    self._fault = e
            return
        except SyncError as e:
            log.warning("%s", e)
            with self._lock:
                self.failures.append(str(e))
            return
        with self._lock:
            self.fetched.append(sha)
            prog.files_done += 1
        self._report()

    def _report(self) -> None:
        if self._on_progress:
            self._on_progress(self.progress)


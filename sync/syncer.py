"""One sync pass: manifest → alerts fast lane → missing media → atomic switch.

The live version only changes when every file of the new one is in the store and
verified; the switch is one transaction in the cache. Alerts of a new manifest are
text and do not wait for its media: they are shown at once through the cache's alert
overlay. Files of the live version found missing or corrupt are fetched again too.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from content_cache import (
    BatchedStore,
    ContentCache,
    ContentVersion,
    MissingMediaError,
    QuotaExceeded,
    SyncRunRecord,
    is_alert,
)

from .client import ContentApiClient, ManifestFetch, Stopped, SyncError
from .manifest import Manifest, ManifestError
from .restore import prune_manifests, save_manifest
from .to_cache import version_rows

log = logging.getLogger(__name__)


class Outcome:
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    UNREACHABLE = "unreachable"
    INVALID = "invalid"
    INCOMPLETE = "incomplete"
    REFUSED = "refused"
    STOPPED = "stopped"


@dataclass(frozen=True)
class SyncResult:
    outcome: str
    live_version: str | None
    files_fetched: int = 0
    bytes_fetched: int = 0
    requests: int = 0
    message: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)
    alerts_shown_early: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.UPDATED, Outcome.UNCHANGED)


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


@dataclass(frozen=True)
class Check:
    """What one manifest check found: a failure, nothing new, or a target version."""

    started: datetime
    live_version: str | None
    failure: str | None = None
    message: str = ""
    problems: tuple[str, ...] = ()
    target: Manifest | None = None
    rows: ContentVersion | None = None
    alerts_shown_early: bool = False


class Syncer:
    def __init__(
        self,
        cache: ContentCache,
        client: ContentApiClient,
        now: Callable[[], datetime],
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.cache = cache
        self.client = client
        self.now = now
        self.on_progress = progress
        self._lock = threading.Lock()

    # -- files --------------------------------------------------------------------
    def fetch_files(self, files: dict[str, int]) -> tuple[list[str], list[str]]:
        """Download ``files`` with bounded parallelism; returns (fetched, failure lines)."""
        prog = Progress(files_total=len(files), bytes_total=sum(files.values()))
        self._report(prog)
        fetched: list[str] = []
        failures: list[str] = []
        # Verified files get their final names in batches: two filesystem syncs per batch
        # instead of two per file; all are named and durable once the `with` below ends.
        store = BatchedStore(self.cache.store)

        def one(sha: str, size: int) -> None:
            def on_bytes(n: int) -> None:
                with self._lock:
                    prog.bytes_done += n
                self._report(prog)

            try:
                self.client.download_media(store, sha, size, on_bytes)
            except Stopped:
                raise
            except SyncError as e:
                log.warning("%s", e)
                with self._lock:
                    failures.append(str(e))
                return
            with self._lock:
                fetched.append(sha)
                prog.files_done += 1
            self._report(prog)

        workers = max(1, min(self.client.settings.parallel_downloads, len(files)))
        # Biggest first: the long downloads start early and the pool drains evenly.
        order = sorted(files.items(), key=lambda kv: -kv[1])
        with store, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="download") as pool:
            futures = [pool.submit(one, sha, size) for sha, size in order]
            stopped = False
            for f in futures:
                try:
                    f.result()
                except Stopped:
                    stopped = True
            if stopped:
                raise Stopped("sync stopped")
        return fetched, failures

    def _report(self, prog: Progress) -> None:
        if self.on_progress:
            self.on_progress(prog)

    # -- one pass, in two steps -------------------------------------------------------
    def check(self) -> Check:
        """Fetch the manifest; show a new version's alerts at once (they need no files).

        Quick: one conditional request. The daemon runs it on every poll, even while
        the files of an earlier manifest are still downloading.
        """
        state = self.cache.live_state()
        started = self.now()
        try:
            fetch = self.client.fetch_manifest(state.etag if state.live_version_id else None)
        except ManifestError as e:
            for line in e.lines():
                log.error("%s", line)
            return Check(started, state.live_version_id, Outcome.INVALID, str(e), tuple(e.lines()))
        except Stopped:
            return Check(started, state.live_version_id, Outcome.STOPPED, "stopped")
        except SyncError as e:
            return Check(started, state.live_version_id, Outcome.UNREACHABLE, str(e))
        target = self._target(fetch, state.live_version_id)
        if target is None:
            return Check(started, state.live_version_id)
        rows = version_rows(target, manifest_sha256=fetch.body_sha256 or "", etag=fetch.etag, now=self.now())
        alerts = [b for b in rows.bulletins if is_alert(b)]
        early = self.cache.set_alert_overlay(target.version, alerts, self.now())
        return Check(started, state.live_version_id, target=target, rows=rows, alerts_shown_early=early)

    def apply(self, check: Check, requests_before: int | None = None) -> SyncResult:
        """Fetch what is missing (new version's files, live files found bad) and switch."""
        before = self.client.requests_made if requests_before is None else requests_before
        live = check.live_version
        fetched_files = fetched_bytes = 0

        def finish(outcome: str, message: str, live_now: str | None, problems: tuple[str, ...] = ()) -> SyncResult:
            result = SyncResult(
                outcome, live_now, fetched_files, fetched_bytes, self.client.requests_made - before,
                message, problems, check.alerts_shown_early,
            )
            self.cache.record_sync_run(
                SyncRunRecord(check.started, self.now(), outcome, live_now, fetched_files, fetched_bytes, message)
            )
            if outcome != Outcome.UNCHANGED or fetched_files:
                log.log(logging.INFO if result.ok else logging.WARNING, "sync %s: %s", outcome, message)
            return result

        if check.failure:
            return finish(check.failure, check.message, live, check.problems)
        target = check.target
        repair = self.cache.missing_live_files()
        needed: dict[str, int] = dict(repair)
        if target is not None:
            target_files = {m.sha256: m.size for m in target.media}
            try:
                self.cache.make_room(target_files, self.client.settings.max_cache_bytes, target.version)
            except QuotaExceeded as e:
                return finish(Outcome.REFUSED, str(e), live)
            needed.update({sha: size for sha, size in target_files.items()
                           if not self.cache.store.has(sha, size)})
        try:
            fetched, failures = self.fetch_files(needed) if needed else ([], [])
        except Stopped:
            return finish(Outcome.STOPPED, "stopped; partial downloads kept for resuming", live)
        fetched_files = len(fetched)
        fetched_bytes = sum(needed[sha] for sha in fetched)
        for sha in fetched:
            if sha in repair:
                self.cache.clear_problem(sha, self.now())
        repaired = sum(1 for sha in fetched if sha in repair)

        if failures:
            what = f"version {target.version} not installed" if target else "live files not repaired"
            msg = f"{what}: {len(failures)} of {len(needed)} file(s) failed; first: {failures[0]}"
            return finish(Outcome.INCOMPLETE, msg, live, tuple(failures))
        if target is None:
            note = f"; {repaired} missing file(s) fetched again" if repaired else ""
            return finish(Outcome.UNCHANGED, f"version {live} up to date{note}", live)
        assert check.rows is not None
        save_manifest(self.cache, target)  # to rebuild the version after a schema upgrade
        try:
            self.cache.install_version(check.rows, self.now())
        except MissingMediaError as e:
            return finish(Outcome.INCOMPLETE, str(e), live)
        self.cache.collect_garbage()
        prune_manifests(self.cache)
        return finish(
            Outcome.UPDATED,
            f"version {target.version} is live ({fetched_files} file(s), {fetched_bytes} bytes fetched)",
            target.version,
        )

    def run_once(self) -> SyncResult:
        before = self.client.requests_made
        return self.apply(self.check(), before)

    def _target(self, fetch: ManifestFetch, live: str | None) -> Manifest | None:
        if fetch.not_modified or fetch.manifest is None:
            return None
        if fetch.manifest.version == live:
            self.cache.set_live_etag(fetch.etag)
            return None
        return fetch.manifest


def sync_once(
    cache: ContentCache,
    client: ContentApiClient,
    now: Callable[[], datetime],
    progress: Callable[[Progress], None] | None = None,
) -> SyncResult:
    """Run one sync pass. Never raises for network or content faults: the result says."""
    return Syncer(cache, client, now, progress).run_once()

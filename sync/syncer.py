"""One sync pass: manifest → alerts fast lane → missing media → atomic switch.

The live version only changes when every file of the new one is in the store and
verified; the switch is one transaction in the cache. Alerts of a new manifest are
text and do not wait for its media: they are shown at once through the cache's alert
overlay. Files of the live version found missing or corrupt are fetched again too.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeAlias

from content_cache import (
    MissingMediaError,
    NoSpace,
    QuotaExceeded,
    StorageFault,
    SyncRunRecord,
    VersionRows,
    WritableCache,
    collect_partials,
    human_bytes,
    is_alert,
    no_space,
    storage_fault,
)

from .downloads import Downloads, Progress
from .errors import Stopped
from .manifest import Manifest
from .outcome import RESULT, Outcome, Poll, PollFailed, SyncResult, poll_manifest
from .restore import prune_manifests, save_manifest
from .source import ContentSource, ManifestFetch, NewManifest
from .to_cache import version_rows

log = logging.getLogger(__name__)

__all__ = ["Check", "CheckFailed", "NewVersion", "NothingNew", "Outcome", "Progress", "SyncResult", "Syncer",
           "sync_once"]


@dataclass(frozen=True)
class CheckFailed:
    """The manifest check failed (``failure`` is an Outcome); the live version stays."""

    started: datetime
    live_version: str | None
    failure: str
    message: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class NothingNew:
    """The manifest is the live version's: only the live files found bad are fetched again."""

    started: datetime
    live_version: str | None


@dataclass(frozen=True)
class NewVersion:
    """A new version to install: its manifest and its rows for the cache."""

    started: datetime
    live_version: str | None
    target: Manifest
    rows: VersionRows
    alerts_shown_early: bool = False


# What one manifest check found: a failure, nothing new, or a new version.
Check: TypeAlias = CheckFailed | NothingNew | NewVersion


class Syncer:
    """One sync pass from a :class:`sync.ContentSource` into a :class:`content_cache.WritableCache`."""

    def __init__(
        self,
        cache: WritableCache,
        client: ContentSource,
        now: Callable[[], datetime],
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.cache = cache
        self.client = client
        self.now = now
        self.on_progress = progress
        # Each pass's result is logged; the daemon logs state changes only (it says so).
        self.log_each_pass = True

    # -- one pass, in two steps -------------------------------------------------------
    def check(self) -> Check:
        """Fetch the manifest; show a new version's alerts at once (they need no files).

        Quick: one conditional request. The daemon runs it on every poll, even while
        the files of an earlier manifest are still downloading.
        """
        state = self.cache.live_state()
        poll = poll_manifest(self.client, state.etag if state.live_version_id else None, self.now)
        return self.checked(poll, state.live_version_id)

    def checked(self, poll: Poll, live: str | None) -> Check:
        """The :meth:`check` of a manifest already polled (with the live version's ETag)."""
        if isinstance(poll, PollFailed):
            return CheckFailed(poll.started, live, poll.failure, poll.message, poll.problems)
        fetch = self._new(poll.fetch, live)
        if fetch is None:
            return NothingNew(poll.started, live)
        target = fetch.manifest
        rows = version_rows(target, manifest_sha256=fetch.body_sha256, etag=fetch.etag, now=self.now())
        alerts = [b for b in rows.bulletins if is_alert(b)]
        try:
            early = self.cache.set_alert_overlay(target.version, alerts, self.now())
        except Exception as e:  # a full or read-only disk: the pass that follows says so
            if storage_fault(e, self.data_folder) is None:
                raise
            log.warning("alerts of version %s not shown ahead of its media: %s", target.version, e)
            early = False
        return NewVersion(poll.started, live, target, rows, alerts_shown_early=early)

    @property
    def data_folder(self) -> Path:
        """The data folder named in a technician's line (the cache lives in DATA/cache)."""
        return self.cache.root.parent

    def apply(self, check: Check, requests_before: int | None = None) -> SyncResult:
        """Fetch what is missing (new version's files, live files found bad) and switch."""
        before = self.client.requests_made if requests_before is None else requests_before
        live = check.live_version
        new = check if isinstance(check, NewVersion) else None
        fetched_files = fetched_bytes = 0

        def finish(outcome: str, message: str, live_now: str | None, problems: tuple[str, ...] = ()) -> SyncResult:
            result = SyncResult(
                outcome, live_now, fetched_files, fetched_bytes, self.client.requests_made - before,
                message, problems, new is not None and new.alerts_shown_early,
            )
            try:
                self.cache.record_sync_run(
                    SyncRunRecord(check.started, self.now(), outcome, live_now, fetched_files, fetched_bytes, message)
                )
            except Exception as e:  # the history is not worth a crash on a full or read-only disk
                if storage_fault(e, self.data_folder) is None:
                    raise
                log.debug("sync run not recorded: %s", e)
            if self.log_each_pass and (outcome != Outcome.UNCHANGED or fetched_files):
                log.log(logging.INFO if result.ok else logging.WARNING, "sync %s: %s", outcome, message,
                        extra=RESULT)
            return result

        if isinstance(check, CheckFailed):
            return finish(check.failure, check.message, live, check.problems)
        if new is not None and new.target.version == self.cache.live_state().live_version_id:
            new = None  # made live meanwhile by another writer (the daemon waited for it)
        target = new.target if new is not None else None
        target_files: dict[str, int] = {}
        try:
            repair = self.cache.missing_live_files()
            target_files = {m.sha256: m.size for m in target.media} if target is not None else {}
            wanted = {**repair, **target_files}
            self._tidy(wanted)
            downloads = Downloads(self.client, self.cache.store, self.on_progress)
            if target is not None:
                try:
                    self.cache.make_room(target_files, self.client.settings.max_cache_bytes, target.version)
                except QuotaExceeded as e:
                    return finish(Outcome.REFUSED, str(e), live)
            self.cache.make_disk_room(wanted, target.version if target else None, self.now().timestamp())
            if target is not None:
                downloads.add({sha: size for sha, size in target_files.items()
                               if not self.cache.store.has(sha, size)})
            downloads.add(repair)
            try:
                fetched, failures = downloads.wait()
            except Stopped:
                return finish(Outcome.STOPPED, "stopped; partial downloads kept for resuming", live)
        except Exception as e:
            fault = storage_fault(e, self.data_folder)
            if fault is None:
                raise
            return finish(*self._storage_failure(fault, target_files), live)
        fetched_files = len(fetched)
        fetched_bytes = sum(downloads.requested[sha] for sha in fetched)
        for sha in fetched:
            if sha in repair:
                self.cache.clear_problem(sha, self.now())
        repaired = sum(1 for sha in fetched if sha in repair)

        if failures:
            what = f"version {target.version} not installed" if target else "live files not repaired"
            msg = f"{what}: {len(failures)} of {len(downloads.requested)} file(s) failed; first: {failures[0]}"
            return finish(Outcome.INCOMPLETE, msg, live, tuple(failures))
        if new is None:
            note = f"; {repaired} missing file(s) fetched again" if repaired else ""
            return finish(Outcome.UNCHANGED, f"version {live} up to date{note}", live)
        target = new.target
        try:
            save_manifest(self.cache, target)  # to rebuild the version after a schema upgrade or damage
            self.cache.install_version(new.rows, self.now())
        except MissingMediaError as e:
            return finish(Outcome.INCOMPLETE, str(e), live)
        except Exception as e:
            fault = storage_fault(e, self.data_folder)
            if fault is None:
                raise
            return finish(*self._storage_failure(fault, target_files), live)
        try:
            self.cache.collect_garbage()
            prune_manifests(self.cache)
        except Exception as e:  # the version is live; the next pass collects what is left
            if storage_fault(e, self.data_folder) is None:
                raise
            log.warning("garbage not collected after the switch: %s", e)
        return finish(
            Outcome.UPDATED,
            f"version {target.version} is live ({fetched_files} file(s), {fetched_bytes} bytes fetched)",
            target.version,
        )

    def _tidy(self, wanted: dict[str, int]) -> None:
        """At the start of a pass: files no kept version references (left by a crash
        right after a switch) and old partial downloads no wanted version needs."""
        self.cache.collect_garbage(extra_keep=set(wanted))
        collect_partials(self.cache.store, set(wanted), self.now().timestamp(),
                         self.client.settings.partial_grace_s)

    def _storage_failure(self, fault: StorageFault, target_files: dict[str, int]) -> tuple[str, str]:
        """(outcome, the one line) of a pass the disk stopped. A full disk: the partial
        downloads of the attempt are released (the device needs the room more than a
        resume); the line says what is free after that and what the version needs."""
        if isinstance(fault, NoSpace):
            try:
                collect_partials(self.cache.store, (), self.now().timestamp(), pressure=True)
            except OSError as e:
                log.debug("partials not released: %s", e)
            if target_files:
                needed = sum(size for sha, size in target_files.items() if not self.cache.store.has(sha, size))
                fault = no_space(self.data_folder, f"the new version needs {human_bytes(needed)}")
            outcome = Outcome.NO_SPACE
        else:
            outcome = Outcome.READ_ONLY
        stays = "the current version stays live" if self._live_now() else "no version is live yet"
        return outcome, f"{fault} — {stays}"

    def _live_now(self) -> str | None:
        try:
            return self.cache.live_state().live_version_id
        except Exception:  # noqa: BLE001 - only for the wording of a failure line
            return None

    def run_once(self) -> SyncResult:
        before = self.client.requests_made
        return self.apply(self.check(), before)

    def _new(self, fetch: ManifestFetch, live: str | None) -> NewManifest | None:
        """``fetch`` if it is a manifest of another version than the live one."""
        if not isinstance(fetch, NewManifest):
            return None
        if fetch.manifest.version == live:
            self.cache.set_live_etag(fetch.etag)
            return None
        return fetch


def sync_once(
    cache: WritableCache,
    client: ContentSource,
    now: Callable[[], datetime],
    progress: Callable[[Progress], None] | None = None,
) -> SyncResult:
    """Run one sync pass. Never raises for network or content faults: the result says."""
    return Syncer(cache, client, now, progress).run_once()

"""`kiosk sync`: the sync daemon.

APScheduler (3.x) runs the wall-clock jobs: the manifest poll (interval with jitter) and
the outbox upload (and a heartbeat job of its own only when heartbeats are wanted more
often than polls). The poll is quick and never waits for downloads: it shows a new
manifest's alerts at once and hands the version to a download job, which runs alone
(max_instances=1) and re-checks for a newer target when it ends. Each poll then queues a
heartbeat and uploads the outbox; the application's reporter (sync.reports) adds the
player's state and acts on what the server's answer asks (a screenshot). SIGTERM
stops everything cleanly: downloads stop at the next chunk, partial files are kept.
:meth:`SyncService.sync_now` moves the next poll to now (the application's "sync now"
socket calls it, see kiosk.device.sync_now).

Each pass (and the check of the live files at start) holds the cache's writer lock: a
technician's ``kiosk sync --once`` or an import runs between two passes, and the daemon
waits for it. A pass starts by checking the database (``quick_check``, and that it is
still the file opened): a damaged or replaced database ends the service with a reason,
and the application opens the cache again (which sets a damaged file aside and rebuilds
it). A full or read-only disk is said once per change, never as a traceback.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from content_cache import (
    ContentCache,
    Outbox,
    WriterBusy,
    WriterLock,
    database_damage,
    is_damage,
    storage_fault,
)

from .client import ContentApiClient
from .reports import DeviceReports, ServerRequests, SyncState
from .syncer import Check, CheckFailed, NewVersion, Outcome, Syncer, SyncResult
from .uploads import OutboxUploader

log = logging.getLogger(__name__)

# Heartbeats are state, not history: only the newest few wait in the outbox while offline.
HEARTBEATS_KEPT = 20


@dataclass(frozen=True)
class ServiceTimes:
    poll_s: float = 300.0
    poll_jitter_s: float = 30.0
    upload_s: float = 120.0
    heartbeat_s: float = 900.0
    start_hash_budget_s: float = 20.0


class SyncService:
    def __init__(
        self,
        cache: ContentCache,
        client: ContentApiClient,
        now: Callable[[], datetime],
        times: ServiceTimes = ServiceTimes(),
        software_version: str = "",
        notify: Callable[[str], object] | None = None,
        watchdog_interval_s: float | None = None,
        reporter: DeviceReports | None = None,
    ) -> None:
        self.cache = cache
        self.client = client
        self.now = now
        self.times = times
        self.software_version = software_version
        self.syncer = Syncer(cache, client, now)
        self.syncer.log_each_pass = False  # _note logs the transitions
        self.outbox = Outbox(cache)
        self.uploader = OutboxUploader(client, self.outbox)
        self.stop_event = client.stop
        self._target_lock = threading.Lock()
        self._pending: Check | None = None
        self._downloading = threading.Lock()
        self._last_outcome: str | None = None
        self._last_result: SyncResult | None = None
        self._last_ok_at: datetime | None = None
        self.reporter = reporter
        self._started = time.monotonic()
        self.lock = WriterLock(cache.root, "sync daemon")
        self.reopen_reason: str | None = None  # set when the cache must be opened again
        self._faults_said: dict[str, str] = {}  # job → the disk fault last logged for it
        # systemd notify (READY/WATCHDOG/STATUS), wired by the application
        self.notify = notify or (lambda _msg: None)
        self.watchdog_interval_s = watchdog_interval_s
        self.scheduler = BackgroundScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )

    # -- jobs ---------------------------------------------------------------------
    def poll(self) -> None:
        check = self.syncer.check()
        if isinstance(check, CheckFailed):
            self._note(self.syncer.apply(check))
        else:
            with self._target_lock:
                if isinstance(check, NewVersion) or self._pending is None:
                    self._pending = check
            self._kick_download()
        self.report()

    def report(self) -> None:
        """A heartbeat with each poll, the outbox uploaded, and what the server asks done."""
        self.heartbeat()
        result = self.uploader.upload()
        if self.reporter is None:
            return
        last = self._last_result
        state = SyncState(
            live_version=self.cache.live_state().live_version_id,
            last_outcome=last.outcome if last else None, last_ok_at=self._last_ok_at,
            outbox_waiting=result.remaining, outbox_dropped=self.outbox.dropped(), upload_state=result.state,
        )
        if self.reporter.after_upload(self.outbox, ServerRequests.from_answer(result.answer), state, self.now()):
            self.uploader.upload()

    def _kick_download(self) -> None:
        if self.stop_event.is_set() or self._downloading.locked():
            return  # the running download job picks the newest target when it ends
        self.scheduler.add_job(self._guard(self._download), id="download", replace_existing=True)

    def _download(self) -> None:
        if not self._downloading.acquire(blocking=False):
            return
        try:
            while not self.stop_event.is_set() and self.reopen_reason is None:
                with self._target_lock:
                    check, self._pending = self._pending, None
                if check is None:
                    break
                try:
                    with self._writing():
                        if self._database_ok():
                            self._note(self.syncer.apply(check))
                except WriterBusy:  # stopped while another writer held the lock
                    break
        finally:
            self._downloading.release()
        with self._target_lock:
            again = self._pending is not None
        if again:  # a poll arrived between our last look and the release
            self._kick_download()

    def sync_now(self) -> None:
        """Poll at once (the admin overlay's "sync now"); the next regular poll comes one
        interval later. A download in progress goes on and then takes the newest target."""
        log.info("sync now requested")
        with contextlib.suppress(JobLookupError):  # not started yet: the first poll runs as soon as it starts
            self.scheduler.modify_job("poll", next_run_time=datetime.now(UTC))

    def heartbeat(self) -> None:
        state = self.cache.live_state()
        disk = shutil.disk_usage(self.cache.root)
        last = self._last_result
        errors = [] if last is None or last.ok else [f"sync {last.outcome}: {last.message}"[:300]]
        problems = self.cache.media_problems()
        if problems:
            errors.append(f"{len(problems)} media file(s) missing or corrupt, being fetched again")
        fields: dict[str, object] = {
            "live_version": state.live_version_id,
            "uptime_s": round(time.monotonic() - self._started),
            "disk_free_bytes": disk.free,
            "disk_total_bytes": disk.total,
            "cache_bytes": self.cache.store.bytes_used(),
            "outbox_dropped": self.outbox.dropped(),
            "media_problems": len(problems),
            "software": self.software_version,
            "pid": os.getpid(),
            "poll_interval_s": self.times.poll_s,
            "last_sync": None if last is None else {"outcome": last.outcome, "message": last.message[:300]},
        }
        if self.reporter is not None:
            try:
                extra = dict(self.reporter.heartbeat_fields())
            except Exception as e:  # the heartbeat goes anyway, with the reporter's failure in it
                log.warning("device report failed: %s", e)
                extra = {"errors": [f"device report failed: {type(e).__name__}"]}
            errors += [x for x in extra.pop("errors", []) if isinstance(x, str)]
            fields.update(extra)
        fields["errors"] = errors
        self.outbox.put("heartbeat", fields, self.now(), keep_of_kind=HEARTBEATS_KEPT)

    def upload(self) -> None:
        self.uploader.upload()

    def _note(self, result: SyncResult) -> None:
        # The daemon logs transitions: a failing server must not flood a small journal.
        self._last_result = result
        if result.ok:
            self._last_ok_at = self.now()
        if result.outcome != self._last_outcome:
            level = logging.INFO if result.ok else logging.WARNING
            log.log(level, "sync state: %s (%s)", result.outcome, result.message)
            self._last_outcome = result.outcome
            self.notify(f"STATUS=sync {result.outcome}: live {result.live_version}")

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the cache's writer lock, waiting for another writer (a ``--once``, an
        import) to finish; raises WriterBusy if stopped meanwhile."""
        try:
            self.lock.acquire()
        except WriterBusy as e:
            log.info("%s: the daemon waits for it", e)
            self.notify(f"STATUS=waiting: {e}")
            self.lock.acquire(float("inf"), stop=self.stop_event)
        try:
            yield
        finally:
            self.lock.release()

    def _database_ok(self) -> bool:
        """Before a pass: the database is still the file opened, and not damaged; else
        the service ends so the application opens (and heals) the cache again."""
        if self.cache.database_replaced():
            self.request_reopen("the cache database was replaced (set aside and rebuilt by another writer)")
            return False
        try:
            damage = database_damage(self.cache.db_path)
        except sqlite3.Error as e:  # a full or read-only disk: the pass says so
            if storage_fault(e, self.syncer.data_folder) is None:
                raise
            return True
        if damage is not None:
            self.request_reopen(f"the cache database is damaged ({damage})")
            return False
        return True

    def request_reopen(self, reason: str) -> None:
        """End the service so that the cache is opened again (see :meth:`run_until_stopped`)."""
        if self.reopen_reason is None:
            log.warning("%s: the sync daemon opens the cache again", reason)
            self.reopen_reason = reason

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> None:
        try:
            with self._writing():
                report = self.cache.verify_live(self.now(), self.times.start_hash_budget_s)
            log.info("sync daemon started: live version %s, %d file(s) checked (%d hashed)",
                     self.cache.live_state().live_version_id, report.files, report.hashed)
        except WriterBusy:  # stopped while waiting: the service ends at once
            pass
        except Exception as e:
            if is_damage(e):
                self.request_reopen(f"the cache database is damaged ({e})")
            else:
                fault = storage_fault(e, self.syncer.data_folder)
                if fault is None:
                    raise
                log.warning("live files not checked at start: %s", fault)
        t = self.times
        self.scheduler.add_job(self._guard(self.poll), IntervalTrigger(seconds=t.poll_s, jitter=t.poll_jitter_s),
                               id="poll", next_run_time=datetime.now().astimezone())
        self.scheduler.add_job(self._guard(self.upload), IntervalTrigger(seconds=t.upload_s, jitter=t.upload_s / 10),
                               id="upload")
        if t.heartbeat_s < t.poll_s:  # each poll sends one; more often only if asked
            self.scheduler.add_job(self._guard(self.heartbeat), IntervalTrigger(seconds=t.heartbeat_s),
                                   id="heartbeat")
        self.scheduler.start()

    def _guard(self, fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except Exception as e:  # a job must never kill the daemon
                if is_damage(e):
                    self.request_reopen(f"the cache database is damaged ({e})")
                    return
                if self.cache.database_replaced():  # what failed read a file that is not ours any more
                    self.request_reopen("the cache database was replaced")
                    return
                fault = storage_fault(e, self.syncer.data_folder)
                if fault is None:
                    log.exception("sync job %s failed", fn.__name__)
                elif self._faults_said.get(fn.__name__) != str(fault):  # once per change
                    log.warning("sync job %s: %s", fn.__name__, fault)
                    self._faults_said[fn.__name__] = str(fault)
                return
            self._faults_said.pop(fn.__name__, None)
        run.__name__ = fn.__name__
        return run

    def stop(self) -> None:
        self.stop_event.set()
        self.scheduler.shutdown(wait=True)
        log.info("sync daemon stopped")

    def run_until_stopped(self) -> str | None:
        """Run until SIGTERM (returns None) or until the cache must be opened again
        (returns why: a damaged or replaced database; the caller opens it and runs a new
        service)."""
        self.start()
        self.notify("READY=1")
        # The watchdog is fed from this loop: if the daemon wedges, systemd restarts it.
        tick = min(1.0, self.watchdog_interval_s or 1.0)
        reopening = False
        try:
            while not self.stop_event.wait(tick):
                if self.watchdog_interval_s:
                    self.notify("WATCHDOG=1")
                if self.reopen_reason is not None:
                    reopening = True
                    break
        finally:
            if reopening:
                self.scheduler.shutdown(wait=True)
            else:
                self.notify("STOPPING=1")
                self.stop()
        return self.reopen_reason if reopening else None


__all__ = ["Outcome", "ServiceTimes", "SyncService"]

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
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from content_cache import ContentCache, Outbox

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
            while not self.stop_event.is_set():
                with self._target_lock:
                    check, self._pending = self._pending, None
                if check is None:
                    break
                self._note(self.syncer.apply(check))
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

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> None:
        self.cache.store.clear_temp(keep=set(self._partial_keep()))
        report = self.cache.verify_live(self.now(), self.times.start_hash_budget_s)
        log.info("sync daemon started: live version %s, %d file(s) checked (%d hashed)",
                 self.cache.live_state().live_version_id, report.files, report.hashed)
        t = self.times
        self.scheduler.add_job(self._guard(self.poll), IntervalTrigger(seconds=t.poll_s, jitter=t.poll_jitter_s),
                               id="poll", next_run_time=datetime.now().astimezone())
        self.scheduler.add_job(self._guard(self.upload), IntervalTrigger(seconds=t.upload_s, jitter=t.upload_s / 10),
                               id="upload")
        if t.heartbeat_s < t.poll_s:  # each poll sends one; more often only if asked
            self.scheduler.add_job(self._guard(self.heartbeat), IntervalTrigger(seconds=t.heartbeat_s),
                                   id="heartbeat")
        self.scheduler.start()

    def _partial_keep(self) -> list[str]:
        # Partial downloads of files someone still needs are kept to be resumed.
        return [p.name.removesuffix(".part") for p in (self.cache.store.root / "tmp").glob("*.part")]

    def _guard(self, fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except Exception:  # a job must never kill the daemon
                log.exception("sync job %s failed", fn.__name__)
        run.__name__ = fn.__name__
        return run

    def stop(self) -> None:
        self.stop_event.set()
        self.scheduler.shutdown(wait=True)
        log.info("sync daemon stopped")

    def run_until_stopped(self) -> None:
        self.start()
        self.notify("READY=1")
        # The watchdog is fed from this loop: if the daemon wedges, systemd restarts it.
        tick = min(1.0, self.watchdog_interval_s or 1.0)
        try:
            while not self.stop_event.wait(tick):
                if self.watchdog_interval_s:
                    self.notify("WATCHDOG=1")
        finally:
            self.notify("STOPPING=1")
            self.stop()


__all__ = ["Outcome", "ServiceTimes", "SyncService"]

"""`kiosk sync`: the sync daemon (its own systemd service) and ``--once``, one pass."""
from __future__ import annotations

import argparse
import gc
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import __version__
from kiosk.cli._common import (
    Commands,
    Subcommands,
    add_config_option,
    add_data_option,
    data_dir,
    error,
    fail,
    positive_seconds,
)
from kiosk.cli.exit_codes import (
    EXIT_BUSY,
    EXIT_INCOMPLETE,
    EXIT_INVALID,
    EXIT_NO_SPACE,
    EXIT_OK,
    EXIT_READ_ONLY,
    EXIT_REFUSED,
    EXIT_STOPPED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)
from kiosk.cli.logtime import use_town_time

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from content_cache import ContentCache
    from kiosk.config import Config
    from kiosk.device.reporting import DeviceReporter
    from kiosk.device.sdnotify import Notifier
    from sync import Progress, SyncSettings

SYNC_EPILOG = """Without --once, runs as a daemon (polls, uploads the outbox, sends heartbeats)
until SIGTERM. Settings come from the config file (/etc/kiosk/kiosk.toml when present);
options given here override it.

exit codes of --once:
  0  the live content is up to date (updated, or nothing changed)
  2  bad usage or an invalid config file (each problem on its own line)
  3  the content API could not be reached or answered an HTTP error, or the manifest did
     not arrive within --manifest-deadline (sync.manifest_deadline, 120 s)
  4  the manifest is invalid, or over 8 MiB (each problem is printed on its own line)
  5  some media could not be downloaded or failed verification
  6  the new version does not fit in cache.max_bytes
  7  stopped by a signal (partial downloads are kept and resumed next time)
  9  another sync (the daemon's pass, another --once, an import) writes the cache: one
     writer at a time; waited for up to --wait seconds (10)
 10  no space left on the data folder's disk (the line says what is free and what the
     new version needs; the attempt's partial downloads are released)
 11  the data folder cannot be written (a read-only mount, or no permission for this
     user: the line names the folder and the cause)
In every failure case the previous live content stays live. A damaged cache database is
set aside (kept for a technician) and rebuilt from the kept manifests, then synced."""


def register(sub: Subcommands) -> Commands:
    s = sub.add_parser("sync", help="fetch new content into the local cache",
                       epilog=SYNC_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--once", action="store_true", help="run one sync pass and exit")
    add_config_option(s)
    s.add_argument("--api", default=None, help="content API base URL, e.g. https://contenu.example.fr")
    add_data_option(s)
    s.add_argument("--device-id", default=None, help="this device's id (per-device manifest, uploads)")
    s.add_argument("--interval", type=positive_seconds, default=None, help="daemon: seconds between polls")
    s.add_argument("--max-bytes", default=None, help="cache quota, e.g. 8G (default: none)")
    s.add_argument("--manifest-deadline", type=positive_seconds, default=None, metavar="SECONDS",
                   help="the manifest must arrive within this, retries included (default: sync.manifest_deadline, 120)")
    s.add_argument("--quiet", action="store_true", help="--once: no progress line, summary only")
    s.add_argument("--wait", type=_seconds_or_zero, default=10.0, metavar="SECONDS",
                   help="--once: how long to wait for another sync writing the cache to finish (default 10)")
    return {"sync": cmd_sync}


def _seconds_or_zero(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not v >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds (0 or more), got {text}")
    return v


def settings_for(args: argparse.Namespace, cfg: Config) -> SyncSettings:
    """The config's sync settings with the command line's --api, --device-id and --max-bytes."""
    from kiosk.config import parse_size, sync_settings
    from sync.wording import api_url_problem

    api = args.api or cfg.api.url
    if not api:
        raise ValueError("no content API URL: give --api URL or set api.url in the config file")
    problem = api_url_problem(api)
    if problem:
        raise ValueError(f"{'--api' if args.api else 'api.url'}: {problem}")
    return sync_settings(cfg, api_url=args.api, device_id=args.device_id,
                         max_cache_bytes=parse_size(args.max_bytes) if args.max_bytes else None,
                         manifest_deadline_s=args.manifest_deadline)


class _ProgressLine:
    """One line rewritten in place on a terminal: files, bytes, rate. Finished (a new line)
    when the last file is in, so the log lines of the version switch start on their own."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = 0.0
        self._open = False  # a line is shown and not yet ended
        self._finished = False

    def __call__(self, p: Progress) -> None:
        import time

        if not self.enabled or not p.files_total or self._finished:
            return
        now = time.monotonic()
        last = p.files_done >= p.files_total
        if now - self._last < 0.2 and not last:
            return
        self._last = now
        sys.stderr.write(
            f"\r  files {p.files_done}/{p.files_total} · {p.bytes_done / 1e6:.1f}/{p.bytes_total / 1e6:.1f} MB"
            f" · {p.rate_bytes_s / 1e6:.1f} MB/s   " + ("\n" if last else "")
        )
        sys.stderr.flush()
        self._open, self._finished = not last, last

    def end(self) -> None:
        if self._open:
            sys.stderr.write("\n")
            self._open = False


@contextmanager
def _imports_kept_out_of_gc() -> Iterator[None]:
    """For the big imports at the start of the sync process: they create ~60,000 objects
    (SQLAlchemy above all) that live as long as the process, and the cyclic GC scanned
    them ~180 times, ~0.1 s of a `sync --once`. Paused meanwhile, then frozen: the GC
    leaves them alone for good (the few import-time garbage cycles stay too)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _result_printed_once() -> None:
    """The pass's problems are printed below as `kiosk: error:` lines: the sync's log
    records of the same problems (ERROR per manifest problem, WARNING for the outcome)
    are left out, so each problem is said once."""
    import logging

    from sync.outcome import is_result_record

    for handler in logging.getLogger().handlers:
        handler.addFilter(lambda r: not (is_result_record(r) and r.levelno >= logging.WARNING))


def run_sync_once(settings: SyncSettings | str, data_dir: Path, quiet: bool = False, lock_wait_s: float = 10.0) -> int:
    import signal

    with _imports_kept_out_of_gc():  # requests, urllib3, the sync client
        from sync import ContentApiClient, Outcome, SyncSettings, sync_once_light

    if isinstance(settings, str):
        settings = SyncSettings(api_url=settings)
    client = ContentApiClient(settings)
    previous = signal.signal(signal.SIGTERM, lambda *_: client.stop.set())
    _result_printed_once()
    progress = _ProgressLine(enabled=not quiet and sys.stderr.isatty())

    def open_cache() -> ContentCache:
        # Only for a cache of another schema or a damaged one, to set aside and rebuild
        # (under the writer lock sync_once_light holds): SQLAlchemy and the cache's models
        # are imported here (sync/one_shot.py).
        from kiosk.device.cache import open_cache

        with _imports_kept_out_of_gc():
            return open_cache(data_dir, heal=True)

    try:
        result = sync_once_light(
            data_dir / "cache", client, open_cache, now=lambda: datetime.now(UTC), progress=progress,
            lock_wait_s=lock_wait_s,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
        progress.end()
    if result.ok:
        if not quiet:
            print(f"sync {result.outcome}: live version {result.live_version}, "
                  f"{result.files_fetched} file(s) / {result.bytes_fetched / 1e6:.1f} MB fetched, "
                  f"{result.requests} request(s)")
        return EXIT_OK
    storage = result.outcome in (Outcome.NO_SPACE, Outcome.READ_ONLY)  # their line says what stays live
    lines = list(result.problems or (result.message,))
    if result.outcome == Outcome.BUSY and "sync daemon" in result.message:
        lines[0] += f"; it syncs now if asked: printf 'sync\\n' | socat - UNIX-CONNECT:{data_dir}/sync.sock"
    for line in lines:
        error(line)
    if result.live_version and not storage:
        print(f"kiosk: version {result.live_version} stays live", file=sys.stderr)
    return {
        Outcome.UNREACHABLE: EXIT_UNREACHABLE,
        Outcome.INVALID: EXIT_INVALID,
        Outcome.REFUSED: EXIT_REFUSED,
        Outcome.STOPPED: EXIT_STOPPED,
        Outcome.BUSY: EXIT_BUSY,
        Outcome.NO_SPACE: EXIT_NO_SPACE,
        Outcome.READ_ONLY: EXIT_READ_ONLY,
    }.get(result.outcome, EXIT_INCOMPLETE)


def cmd_sync(args: argparse.Namespace) -> int:
    with _imports_kept_out_of_gc():  # the config
        from kiosk.config import ConfigError, load_device_config

        try:
            cfg = load_device_config(args.config)
            settings = settings_for(args, cfg)
        except ConfigError as e:
            for line in e.lines():
                error(line)
            return EXIT_USAGE
        except ValueError as e:
            return fail(str(e), EXIT_USAGE)
    use_town_time(cfg.device.timezone)
    data = data_dir(args.data, cfg)
    if args.once:
        return run_sync_once(settings, data, quiet=args.quiet, lock_wait_s=args.wait)
    return run_sync_daemon(settings, data, cfg, args.interval)


def device_reporter(data_dir: Path, cfg: Config, device_id: str | None) -> DeviceReporter:
    """The player's state, screenshots and kiosk.prom for the heartbeats (kiosk/device/reporting.py)."""
    from kiosk.device.reporting import DeviceReporter, ReportSettings

    return DeviceReporter(ReportSettings(
        data_dir=data_dir, device_id=device_id, mode=cfg.device.mode, orientation=cfg.display.orientation,
        screenshot_s=cfg.monitoring.screenshot_interval, screenshot_width=cfg.monitoring.screenshot_width,
        textfile_dir=cfg.monitoring.textfile_dir,
    ))


def run_sync_daemon(settings: SyncSettings, data_dir: Path, cfg: Config, interval: float | None) -> int:
    import signal

    with _imports_kept_out_of_gc():  # SQLAlchemy, the cache's models, APScheduler
        from kiosk.device.sync_now import SyncTriggerServer, trigger_path
        from sync import ContentApiClient, ServiceTimes, SyncService

    client = ContentApiClient(settings)
    poll_s = interval or cfg.sync.interval
    times = ServiceTimes(
        poll_s=poll_s,
        poll_jitter_s=min(cfg.sync.jitter, poll_s / 4),
        upload_s=cfg.sync.upload_interval,
        heartbeat_s=cfg.sync.heartbeat_interval,
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: client.stop.set())
    from kiosk.device.sdnotify import Notifier

    notifier = Notifier()
    reporter = device_reporter(data_dir, cfg, settings.device_id)
    while True:
        # Opened (a damaged database set aside and rebuilt) under the writer lock; a full
        # or read-only disk is said once, and tried again until it passes.
        cache = open_cache_for_daemon(data_dir, client.stop, notifier, min(RETRY_OPEN_S, times.poll_s))
        if cache is None:  # stopped meanwhile
            return EXIT_OK
        with cache:
            service = SyncService(cache, client, now=lambda: datetime.now(UTC),
                                  times=times, software_version=__version__,
                                  notify=notifier.send, watchdog_interval_s=notifier.watchdog_interval_s,
                                  reporter=reporter)
            # "Sync now" from the admin overlay (or a technician): DATA/sync.sock moves the next poll to now.
            trigger = SyncTriggerServer(trigger_path(data_dir), service.sync_now)
            try:
                trigger.start()
                serving = True
            except OSError as e:
                log.warning("no \"sync now\" socket at %s: %s", trigger_path(data_dir), e.strerror or e)
                serving = False
            try:
                reopen = service.run_until_stopped()
            finally:
                if serving:
                    trigger.stop()
        if reopen is None:
            return EXIT_OK


RETRY_OPEN_S = 60.0


def open_cache_for_daemon(
    data_dir: Path, stop: threading.Event, notifier: Notifier, retry_s: float = RETRY_OPEN_S,
) -> ContentCache | None:
    """The daemon's cache, opened under the writer lock (a damaged database is set aside
    and rebuilt); on a full disk the partial downloads are released first. A disk that
    stays full or read-only is said once (journal and systemd status) and tried again
    every ``retry_s`` seconds (the poll interval, at most a minute), the watchdog fed
    meanwhile; None once stopped."""
    import time

    from content_cache import MediaStore, NoSpace, WriterBusy, WriterLock, collect_partials, storage_fault
    from kiosk.device.cache import open_cache

    said = None
    ready = False
    while not stop.is_set():
        lock = WriterLock(data_dir / "cache", "sync daemon")
        try:
            waiting = False
            while True:  # a --once may hold the lock for long: the watchdog is fed meanwhile
                try:
                    lock.acquire(0.0 if not waiting else 5.0, stop=stop)
                    break
                except WriterBusy as e:
                    if stop.is_set():
                        return None
                    if not waiting:
                        log.info("%s: the daemon waits for it", e)
                        waiting = True
                    notifier.send("WATCHDOG=1")
            try:
                try:
                    return open_cache(data_dir, heal=True)
                except Exception as e:
                    if not isinstance(storage_fault(e, data_dir), NoSpace):
                        raise
                    collect_partials(MediaStore(data_dir / "cache" / "media"), (), time.time(), pressure=True)
                    return open_cache(data_dir, heal=True)
            finally:
                lock.release()
        except Exception as e:
            fault = storage_fault(e, data_dir)
            if fault is None:
                raise
            line = f"{fault} — the sync daemon tries again every {retry_s:.0f} s"
            if line != said:
                log.warning("%s", line)
                notifier.send(f"STATUS={fault}")
                said = line
        if not ready:  # systemd waits for READY=1: say it, the daemon is running (and waiting)
            notifier.send("READY=1")
            ready = True
        end = time.monotonic() + retry_s
        while not stop.wait(min(1.0, max(0.0, end - time.monotonic()))) and time.monotonic() < end:
            notifier.send("WATCHDOG=1")
    return None

"""`kiosk sync` (daemon and --once) and the device settings it reads."""
from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import __version__
from kiosk.cli.exit_codes import (
    EXIT_INCOMPLETE,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_STOPPED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)
from kiosk.config.paths import default_data_dir

if TYPE_CHECKING:
    from content_cache import ContentCache
    from kiosk.config import Config
    from kiosk.device.reporting import DeviceReporter
    from sync import Progress, SyncSettings


def _fail(message: str, code: int) -> int:
    print(f"kiosk: error: {message}", file=sys.stderr)
    return code


def load_device_config(path: Path | None) -> Config:
    """The config file named, else the default one if present, else defaults."""
    from kiosk.config import DEFAULT_CONFIG, Config, load_config

    if path is None:
        return load_config(DEFAULT_CONFIG) if DEFAULT_CONFIG.is_file() else Config()
    return load_config(path)


def sync_settings(args: argparse.Namespace, cfg: Config) -> SyncSettings:
    from kiosk.config import parse_size
    from sync import SyncSettings
    from sync.wording import api_url_problem

    api = args.api or cfg.api_url
    if not api:
        raise ValueError("no content API URL: give --api URL or set api.url in the config file")
    problem = api_url_problem(api)
    if problem:
        raise ValueError(f"{'--api' if args.api else 'api.url'}: {problem}")
    max_bytes = parse_size(args.max_bytes) if getattr(args, "max_bytes", None) else cfg.max_cache_bytes
    return SyncSettings(
        api_url=api,
        device_id=getattr(args, "device_id", None) or cfg.device_id,
        token=cfg.token,
        ca_bundle=cfg.ca_bundle,
        parallel_downloads=cfg.parallel_downloads,
        max_cache_bytes=max_bytes,
    )


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


def run_sync_once(settings: SyncSettings | str, data_dir: Path, quiet: bool = False) -> int:
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
        # Only for a cache of another schema, to set aside and rebuild: SQLAlchemy and the
        # cache's models are imported here (sync/one_shot.py).
        from kiosk.app.cache_open import open_cache

        with _imports_kept_out_of_gc():
            return open_cache(data_dir)

    try:
        result = sync_once_light(
            data_dir / "cache", client, open_cache, now=lambda: datetime.now(UTC), progress=progress
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
    for line in result.problems or (result.message,):
        print(f"kiosk: error: {line}", file=sys.stderr)
    if result.live_version:
        print(f"kiosk: version {result.live_version} stays live", file=sys.stderr)
    return {
        Outcome.UNREACHABLE: EXIT_UNREACHABLE,
        Outcome.INVALID: EXIT_INVALID,
        Outcome.REFUSED: EXIT_REFUSED,
        Outcome.STOPPED: EXIT_STOPPED,
    }.get(result.outcome, EXIT_INCOMPLETE)


def cmd_sync(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError

    try:
        with _imports_kept_out_of_gc():  # the config
            cfg = load_device_config(args.config)
            settings = sync_settings(args, cfg)
    except ConfigError as e:
        for line in e.lines():
            print(f"kiosk: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as e:
        return _fail(str(e), EXIT_USAGE)
    from kiosk.cli.logtime import use_town_time

    use_town_time(cfg.timezone)
    data_dir = args.data or cfg.data_dir or default_data_dir()
    if args.once:
        return run_sync_once(settings, data_dir, quiet=args.quiet)
    return run_sync_daemon(settings, data_dir, cfg, args.interval)


def device_reporter(data_dir: Path, cfg: Config, device_id: str | None) -> DeviceReporter:
    """The player's state, screenshots and kiosk.prom for the heartbeats (kiosk/device/reporting.py)."""
    from kiosk.device.reporting import DeviceReporter, ReportSettings

    return DeviceReporter(ReportSettings(
        data_dir=data_dir, device_id=device_id, mode=cfg.mode, orientation=cfg.orientation,
        screenshot_s=cfg.screenshot_s, screenshot_width=cfg.screenshot_width, textfile_dir=cfg.textfile_dir,
    ))


def run_sync_daemon(settings: SyncSettings, data_dir: Path, cfg: Config, interval: float | None) -> int:
    import signal

    with _imports_kept_out_of_gc():  # SQLAlchemy, the cache's models, APScheduler
        from kiosk.app.cache_open import open_cache
        from kiosk.device.sync_now import SyncTriggerServer, trigger_path
        from sync import ContentApiClient, ServiceTimes, SyncService

    client = ContentApiClient(settings)
    times = ServiceTimes(
        poll_s=interval or cfg.poll_s,
        poll_jitter_s=min(cfg.poll_jitter_s, (interval or cfg.poll_s) / 4),
        upload_s=cfg.upload_s,
        heartbeat_s=cfg.heartbeat_s,
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: client.stop.set())
    from kiosk.device.sdnotify import Notifier

    notifier = Notifier()
    reporter = device_reporter(data_dir, cfg, settings.device_id)
    with open_cache(data_dir) as cache:
        service = SyncService(cache, client, now=lambda: datetime.now(UTC),
                              times=times, software_version=__version__,
                              notify=notifier.send, watchdog_interval_s=notifier.watchdog_interval_s,
                              reporter=reporter)
        # "Sync now" from the admin overlay (or a technician): DATA/sync.sock moves the next poll to now.
        trigger = SyncTriggerServer(trigger_path(data_dir), service.sync_now)
        trigger.start()
        try:
            service.run_until_stopped()
        finally:
            trigger.stop()
    return EXIT_OK

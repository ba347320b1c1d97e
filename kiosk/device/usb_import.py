"""Import a content pack from a USB key (or any folder) into the device's cache.

For totems without network: the town publishes with ``kiosk publish SRC KEY/`` and a
technician plugs the key in (or runs ``kiosk import /media/usb``). The pack goes through
:class:`sync.Syncer` like a download — full manifest validation, every file hashed and
sized before it gets its final name, one transaction to go live — so a tampered or
half-copied key is refused and the previous version keeps playing.

Mounting is the system's job (a udev rule with ``systemd-mount``, see docs/device.md);
:class:`UsbImporter` waits for the mount of a hotplugged filesystem, then imports.
"""
from __future__ import annotations

import logging
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from content_cache import (
    ContentCache,
    MediaStore,
    NoSpace,
    StorageFault,
    StoredFile,
    WriterBusy,
    WriterLock,
    storage_fault,
)
from kiosk.config import Config, sync_settings
from kiosk.device.cache import open_cache
from kiosk.device.hotplug import HotplugEvent, HotplugKind
from sync import LocalPackSource, Outcome, Syncer, SyncResult, SyncSettings

log = logging.getLogger(__name__)

MOUNTS = Path("/proc/self/mounts")
IMPORT_LOCK_WAIT_S = 60.0  # a sync pass in progress: the import waits for it this long


class PackPathError(Exception):
    """The path given is not something a pack can be read from; one line."""


def is_content_pack(folder: Path) -> bool:
    return (folder / "v1" / "manifest.json").is_file()


def _unescape_mount_field(text: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as \040, \011, \012, \134.
    out, i = [], 0
    while i < len(text):
        code = text[i + 1:i + 4]
        if text[i] == "\\" and len(code) == 3 and all(c in "01234567" for c in code):
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def mount_point_of(device_node: str, mounts_text: str) -> Path | None:
    """Where ``device_node`` is mounted according to a ``/proc/self/mounts`` text."""
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and _unescape_mount_field(fields[0]) == device_node:
            return Path(_unescape_mount_field(fields[1]))
    return None


def resolve_pack_path(path: Path, mounts: Path = MOUNTS) -> Path:
    """A folder as is; a block device (``/dev/sda1``) → where it is mounted."""
    try:
        mode = path.stat().st_mode
    except OSError as e:
        raise PackPathError(f"{path}: {e.strerror}") from None
    if stat.S_ISBLK(mode):
        where = mount_point_of(str(path), mounts.read_text())
        if where is None:
            raise PackPathError(f"{path}: not mounted (mount it, e.g. systemd-mount -o ro {path})")
        path = where
    if not path.is_dir():
        raise PackPathError(f"{path}: not a folder or a mounted block device")
    if not is_content_pack(path):
        raise PackPathError(f"{path}: not a content pack (no v1/manifest.json; make one with "
                           f"`kiosk publish SRC {path}`)")
    return path


def import_pack(
    pack: Path,
    data_dir: Path,
    cfg: Config | None = None,
    now: Callable[[], datetime] | None = None,
    stop: threading.Event | None = None,
) -> SyncResult:
    """Import ``pack`` into the cache under ``data_dir``; the result says how it went.

    On failure the previous live version stays live, files this import had already
    verified are removed again, and alerts of the refused pack are taken off screen.
    """
    cfg = cfg or Config()
    clock = now or (lambda: datetime.now(UTC))
    settings = sync_settings(cfg, api_url=pack.resolve().as_uri())
    source = _RecordingSource(pack, settings, stop)
    # One writer at a time (the sync daemon's pass, a --once): wait for it a little.
    lock = WriterLock(data_dir / "cache", "import")
    try:
        lock.acquire(IMPORT_LOCK_WAIT_S, stop)
    except WriterBusy as e:
        return SyncResult(Outcome.BUSY, None, message=f"{e}; try the import again when it is done")
    except StorageFault as e:
        return _storage_result(e)
    try:
        # The writer lock is held: a damaged database is set aside and rebuilt here too.
        with open_cache(data_dir, clock, heal=True) as cache:
            before = cache.live_state().live_version_id
            result = Syncer(cache, source, clock).run_once()
            if not result.ok:
                _undo(cache, source.stored, result, before, clock())
    except Exception as e:
        fault = storage_fault(e, data_dir)
        if fault is None:
            raise
        return _storage_result(fault)
    finally:
        lock.release()
    if result.ok:
        log.info("content pack %s: %s", pack, result.message)
    return result


def _storage_result(fault: StorageFault) -> SyncResult:
    outcome = Outcome.NO_SPACE if isinstance(fault, NoSpace) else Outcome.READ_ONLY
    return SyncResult(outcome, None, message=f"{fault} — the current version stays live")


def _undo(cache: ContentCache, stored: set[str], result: SyncResult, live: str | None, now: datetime) -> None:
    keep = cache.referenced_digests()
    for sha in sorted(stored - keep):
        cache.store.remove(sha)
    if result.alerts_shown_early:
        # A refused pack's alerts must not stay on screen: the overlay of the live
        # version itself is "no overlay".
        # None (nothing was live) clears the overlay too; content_cache types the version str.
        cache.set_alert_overlay(live, [], now)  # type: ignore[arg-type]


class _RecordingSource(LocalPackSource):
    """Remembers which files it put into the store, to take them out again on failure."""

    def __init__(self, root: Path, settings: SyncSettings, stop: threading.Event | None) -> None:
        super().__init__(root, settings, stop)
        self.stored: set[str] = set()

    def download_media(self, store: MediaStore, sha256: str, size: int,
                       on_bytes: Callable[[int], None] | None = None) -> StoredFile:
        stored = super().download_media(store, sha256, size, on_bytes)
        with self._lock:
            self.stored.add(sha256)
        return stored


@dataclass(frozen=True)
class ImportReport:
    pack: Path | None
    result: SyncResult | None
    message: str

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok


class UsbImporter:
    """Hotplug handler: a USB filesystem appears → wait for its mount → import its pack."""

    def __init__(self, data_dir: Path, cfg: Config | None = None, mounts: Path = MOUNTS,
                 mount_wait_s: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 stop: threading.Event | None = None) -> None:
        self.data_dir = data_dir
        self.cfg = cfg
        self.mounts = mounts
        self.mount_wait_s = mount_wait_s
        self.sleep = sleep
        # Set when the player exits: the wait for a mount and the copy stop early.
        self.stop = stop

    def handle(self, event: HotplugEvent) -> ImportReport | None:
        if event.kind is not HotplugKind.FILESYSTEM_ADDED or not event.device_node:
            return None
        where = self._wait_for_mount(event.device_node)
        if where is None:
            msg = f"{event.device_node}: not mounted after {self.mount_wait_s:g} s; nothing imported"
            log.warning("%s", msg)
            return ImportReport(None, None, msg)
        if not is_content_pack(where):
            msg = f"{event.device_node} at {where}: no content pack (v1/manifest.json)"
            log.info("%s", msg)
            return ImportReport(where, None, msg)
        result = import_pack(where, self.data_dir, self.cfg, stop=self.stop)
        if not result.ok:
            for line in result.problems or (result.message,):
                log.error("content pack %s refused: %s", where, line)
        return ImportReport(where, result, result.message)

    def _wait_for_mount(self, device_node: str) -> Path | None:
        deadline = time.monotonic() + self.mount_wait_s
        while True:
            try:
                where = mount_point_of(device_node, self.mounts.read_text())
            except OSError:
                where = None
            if where is not None or time.monotonic() >= deadline or (self.stop and self.stop.is_set()):
                return where
            self.sleep(0.5)


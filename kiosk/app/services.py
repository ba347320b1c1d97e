"""Device services the player runs beside the slide loop (no Kivy here).

- the display power schedule (:mod:`kiosk.device.display_schedule`) on an APScheduler 3
  background scheduler; while the screen is switched off, the player idles;
- the udev hotplug watcher (:mod:`kiosk.device.hotplug`): touch screens and displays coming and
  going are logged (changes only) and handed to the UI;
- USB content import (:mod:`kiosk.device.usb_import`) on its own worker thread: a USB
  filesystem with a content pack goes through the same verified syncer as a download;
  the player then notices the new live version by its usual poll.

Nothing here touches a widget. Whatever the UI must do is passed to ``post`` (the player
gives a queue drained by a ``Clock`` trigger on the UI thread) as a call on ``hooks``.
A service that cannot start (no udev netlink in a container, a backend missing) is
logged once and the player carries on without it.
"""
from __future__ import annotations

import functools
import logging
import os
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from kiosk.config import Config
from kiosk.device.display_power import BackendChoice, DisplayPowerError, NoPower, PowerEnvironment, detect_backend
from kiosk.device.display_schedule import DisplayPowerScheduler, PowerSchedule, display_should_be_on, next_change
from kiosk.device.hotplug import DeviceSource, HotplugEvent, HotplugKind, HotplugWatcher, PyudevSource, ReplaySource
from kiosk.device.usb_import import MOUNTS, ImportReport, UsbImporter

log = logging.getLogger(__name__)

# A folder with ``events`` (JSON lines of udev event environments) and ``mounts`` (a
# /proc/mounts-style table): the player reads hotplug events from there instead of udev.
REPLAY_ENV = "KIOSK_HOTPLUG_REPLAY"

Post = Callable[[Callable[[], None]], None]


class ServiceHooks(Protocol):
    """What the UI does for the services; always called on the UI thread (through ``post``)."""

    def screen_power_changed(self, on: bool) -> None: ...

    def touch_changed(self, event: HotplugEvent) -> None: ...

    def display_changed(self, event: HotplugEvent) -> None: ...

    def content_imported(self, record: ImportRecord) -> None: ...


@dataclass(frozen=True)
class ImportRecord:
    """How the last USB import went (``kiosk status``)."""

    at: datetime
    device: str
    pack: str | None
    outcome: str  # the syncer's outcome, or "not-mounted" / "no-pack" / "failed"
    ok: bool
    message: str
    live_version: str | None = None

    @classmethod
    def from_report(cls, at: datetime, device: str, report: ImportReport) -> ImportRecord:
        result = report.result
        if result is None:
            outcome = "not-mounted" if report.pack is None else "no-pack"
            return cls(at, device, None if report.pack is None else str(report.pack), outcome, False, report.message)
        return cls(at, device, str(report.pack), str(getattr(result.outcome, "value", result.outcome)), result.ok,
                   report.message, result.live_version)


@dataclass(frozen=True)
class PowerStatus:
    backend: str
    why: str
    schedule: str
    applied: str | None = None  # "on" / "off" after the last successful command
    error: str | None = None  # the last command's failure, one line
    reported: str = "unknown"  # what the backend says after switching (vcgencmd, xset, cec, backlight)
    screen_idle: bool = False  # the player idles while the screen is switched off


def hotplug_source_from_env(env: Mapping[str, str]) -> tuple[DeviceSource, Path]:
    """The udev source and mount table to use: netlink and /proc/self/mounts, or the
    replay folder named by ``KIOSK_HOTPLUG_REPLAY`` (tests, rehearsals on a desk)."""
    replay = env.get(REPLAY_ENV)
    if replay:
        return ReplaySource(Path(replay) / "events"), Path(replay) / "mounts"
    return PyudevSource(), MOUNTS


class PlayerServices:
    """Starts and stops the player's device services; answers their part of ``status``."""

    def __init__(
        self,
        cfg: Config,
        data_dir: Path,
        hooks: ServiceHooks,
        post: Post,
        *,
        now: Callable[[], datetime] | None = None,
        power: BackendChoice | None = None,
        source: DeviceSource | None = None,
        mounts: Path = MOUNTS,
        scheduler: Any = None,
        mount_wait_s: float = 30.0,
    ) -> None:
        self.cfg = cfg
        self.hooks = hooks
        self._post = post
        self._now = now or (lambda: datetime.now(UTC))
        self.schedule = PowerSchedule.from_config(cfg)
        self.power = power or self._detect_power()
        self._power_status = PowerStatus(self.power.name, self.power.reason, self.schedule.describe())
        self.display = DisplayPowerScheduler(self.power.backend, self.schedule, now=self._now,
                                             on_applied=self._power_applied)
        self._scheduler = scheduler
        self._stop = threading.Event()
        self.importer = UsbImporter(data_dir, cfg, mounts=mounts, mount_wait_s=mount_wait_s, stop=self._stop)
        self.watcher = HotplugWatcher(self._on_hotplug, source=source if source is not None else PyudevSource())
        self._lock = threading.Lock()
        self._imports: queue.Queue[HotplugEvent | None] = queue.Queue()
        self._import_thread: threading.Thread | None = None
        self._screen_idle = False
        self._hotplug_error: str | None = None
        self._watching = False
        self._touch: dict[str, str] = {}  # event node -> name
        self._displays: dict[str, tuple[tuple[str, bool], ...]] = {}
        self._usb_seen: set[str] = set()
        self._importing: str | None = None
        self._last_import: ImportRecord | None = None
        self._last_event: str | None = None

    def _detect_power(self) -> BackendChoice:
        try:
            return detect_backend(PowerEnvironment.current(), self.cfg.display.power_backend, self.cfg.display.output)
        except DisplayPowerError as e:
            log.warning("display power: %s; the schedule is not applied", e)
            return BackendChoice("none", str(e), NoPower())

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> PlayerServices:
        self._start_display_power()
        self._import_thread = threading.Thread(target=self._import_loop, name="usb-import", daemon=True)
        self._import_thread.start()
        try:
            self.watcher.start()
            self._watching = True
        except Exception as e:  # no netlink in a container, no libudev: carry on without
            self.watcher.stop()
            self._hotplug_error = f"{type(e).__name__}: {e}"
            log.warning("hotplug watching unavailable (%s): touch screens, displays and USB keys plugged in "
                        "later are not noticed; `kiosk import` still works", self._hotplug_error)
        return self

    def _start_display_power(self) -> None:
        if self.schedule.always_on and isinstance(self.power.backend, NoPower):
            return  # nothing to switch, nothing to schedule: no thread, no log line
        if self._scheduler is None:
            from apscheduler.schedulers.background import BackgroundScheduler

            self._scheduler = BackgroundScheduler(timezone=ZoneInfo(self.schedule.timezone))
        try:
            if not self._scheduler.running:
                self._scheduler.start()
            # Off the UI thread: the first apply runs a command (up to 10 s) and adds the cron
            # jobs. However late it gets to run (a Pi busy starting Kivy): APScheduler's
            # default grace of 1 s would drop it and the schedule would never start.
            self._scheduler.add_job(self.display.add_jobs, args=(self._scheduler,), id="display-power-start",
                                    misfire_grace_time=None)
        except Exception as e:
            log.warning("display power schedule not started: %s", e)

    def stop(self) -> None:
        """Stop everything; returns within a few seconds even with an import under way."""
        self._stop.set()
        if self._watching:
            self.watcher.stop()
            self._watching = False
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._import_thread is not None:
            self._imports.put(None)
            self._import_thread.join(5)
            self._import_thread = None

    # -- display power (scheduler thread) -----------------------------------------------
    def _power_applied(self, want_on: bool, ok: bool) -> None:
        # Idle only when the screen really went dark: with no backend, or when the
        # command failed, the screen may still be lit and must keep playing.
        idle = (not want_on) and ok and not isinstance(self.power.backend, NoPower)
        # Asked once per switch (twice a day), in this thread: a TV switched back on with
        # its remote shows up as "scheduled off, reports on".
        reported = self._reported_state() if ok else "unknown"
        with self._lock:
            self._power_status = PowerStatus(
                self.power.name, self.power.reason, self.schedule.describe(),
                applied=("on" if want_on else "off") if ok else self._power_status.applied,
                error=None if ok else f"could not switch the screen {'on' if want_on else 'off'} (see the log)",
                screen_idle=idle, reported=reported,
            )
            changed, self._screen_idle = idle != self._screen_idle, idle
        if changed:
            log.info("player %s (screen scheduled %s)", "idles" if idle else "resumes", "off" if idle else "on")
            self._post(lambda: self.hooks.screen_power_changed(not idle))

    def _reported_state(self) -> str:
        try:
            return str(getattr(self.power.backend.state(), "value", "unknown"))
        except Exception as e:  # a backend bug must not keep the player from idling
            log.debug("display power state unknown: %s", e)
            return "unknown"

    def reapply_display_power(self) -> None:
        """A screen was plugged in: it may have come up on; set the scheduled state again."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.add_job(self.display.apply, id="display-power-replug", replace_existing=True,
                                    misfire_grace_time=None)

    # -- hotplug (dispatch thread) -------------------------------------------------------
    def _on_hotplug(self, event: HotplugEvent) -> None:
        self._last_event = event.describe()
        node = event.device_node or event.sys_path
        if event.kind in (HotplugKind.TOUCH_ADDED, HotplugKind.TOUCH_REMOVED):
            added = event.kind is HotplugKind.TOUCH_ADDED
            with self._lock:
                changed = (node in self._touch) != added
                if added:
                    self._touch[node] = event.detail
                else:
                    self._touch.pop(node, None)
                count = len(self._touch)
            if changed:
                log.info("touch screen %s: %s%s (%d connected)", "added" if added else "removed", node,
                         f" {event.detail}" if event.detail else "", count)
            self._post(lambda: self.hooks.touch_changed(event))
        elif event.kind is HotplugKind.DISPLAY_CHANGED:
            with self._lock:
                changed = self._displays.get(event.sys_path) != event.connectors
                self._displays[event.sys_path] = event.connectors
            if changed:
                log.info("display %s: %s", event.sys_path.rsplit("/", 1)[-1], event.detail)
                self._post(lambda: self.hooks.display_changed(event))
                if any(connected for _name, connected in event.connectors):
                    self.reapply_display_power()
        elif event.kind is HotplugKind.FILESYSTEM_ADDED:
            with self._lock:
                # udev sends "add" then often "change" for the same key: import once per plug.
                fresh = node not in self._usb_seen
                self._usb_seen.add(node)
            if fresh:
                log.info("USB filesystem %s (%s): looking for a content pack", node, event.detail)
                self._imports.put(event)
        elif event.kind is HotplugKind.STORAGE_REMOVED:
            with self._lock:
                seen = node in self._usb_seen
                self._usb_seen.discard(node)
            if seen:
                log.info("USB storage removed: %s", node)

    # -- USB import (its own thread) -----------------------------------------------------
    def _import_loop(self) -> None:
        while True:
            event = self._imports.get()
            if event is None or self._stop.is_set():
                return
            device = event.device_node or event.sys_path
            with self._lock:
                self._importing = device
            try:
                report = self.importer.handle(event)
                record = ImportRecord.from_report(self._now(), device, report) if report else None
            except Exception as e:  # a bug or a broken cache must not end the thread
                log.exception("USB import from %s failed", device)
                record = ImportRecord(self._now(), device, None, "failed", False, f"{type(e).__name__}: {e}")
            with self._lock:
                self._importing = None
                if record is not None:
                    self._last_import = record
            if record is not None:
                self._post(functools.partial(self.hooks.content_imported, record))

    # -- status (UI thread) --------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        now = self._now()
        with self._lock:
            power, last = self._power_status, self._last_import
            touch, displays = dict(self._touch), dict(self._displays)
            importing, last_event = self._importing, self._last_event
        change = next_change(self.schedule, now)
        return {
            "display_power": {
                "backend": power.backend, "why": power.why, "schedule": power.schedule,
                "scheduled": "on" if display_should_be_on(self.schedule, now) else "off",
                "applied": power.applied, "reported": power.reported, "error": power.error,
                "player_idle": power.screen_idle,
                "next_change": change[0].isoformat() if change else None,
                "next_state": ("on" if change[1] else "off") if change else None,
            },
            "hotplug": {
                "watching": self._watching, "error": self._hotplug_error,
                "touch_screens": sorted(touch), "last_event": last_event,
                "displays": {path.rsplit("/", 1)[-1]: [n for n, c in conns if c] for path, conns in displays.items()},
            },
            "usb_import": {
                "importing": importing,
                "last": {**asdict(last), "at": last.at.isoformat()} if last else None,
            },
        }


def services_for_player(cfg: Config, data_dir: Path, hooks: ServiceHooks, post: Post,
                        now: Callable[[], datetime] | None = None, headless: bool = False,
                        env: Mapping[str, str] | None = None) -> PlayerServices:
    """The services as the running player wires them (udev or the replay folder), on the
    player's clock. A headless player drives no screen: with ``power_backend = "auto"``
    it switches nothing (a preview on a device must not blank the real screen)."""
    source, mounts = hotplug_source_from_env(os.environ if env is None else env)
    power = None
    if headless and cfg.display.power_backend == "auto":
        power = BackendChoice("none", "headless player: no screen to switch", NoPower())
    return PlayerServices(cfg, data_dir, hooks, post, now=now, power=power, source=source, mounts=mounts)

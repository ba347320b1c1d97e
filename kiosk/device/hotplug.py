"""Hotplug: touch screens, displays and USB keys coming and going, seen through udev.

A :class:`DeviceSource` delivers raw udev devices (the real one is a pyudev
``MonitorObserver`` on the ``input``, ``drm`` and ``block`` subsystems; tests use
:class:`FakeSource`). Pure functions classify them into :class:`HotplugEvent` values, which
:class:`HotplugWatcher` hands to a callback from its own thread, in order, through a
queue — the udev socket is never held up by a slow callback. The callback must not touch
widgets: the player passes a function that queues the event for the UI thread
(``Clock.schedule_once``).
"""
from __future__ import annotations

import enum
import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

log = logging.getLogger(__name__)

SUBSYSTEMS = ("input", "drm", "block")


class HotplugKind(str, enum.Enum):  # noqa: UP042 - str() and format() as before
    TOUCH_ADDED = "touch-added"
    TOUCH_REMOVED = "touch-removed"
    DISPLAY_CHANGED = "display-changed"  # a connector was plugged or unplugged
    FILESYSTEM_ADDED = "filesystem-added"  # a USB key (or its partition) with a filesystem
    STORAGE_REMOVED = "storage-removed"


@dataclass(frozen=True)
class UdevDevice:
    """What udev says about one device in one event (a plain value, easy to build in tests)."""

    action: str | None
    subsystem: str
    sys_path: str
    device_node: str | None = None
    device_type: str | None = None
    properties: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_pyudev(cls, device: Any) -> UdevDevice:
        return cls(
            action=device.action,
            subsystem=device.subsystem or "",
            sys_path=device.sys_path,
            device_node=device.device_node,
            device_type=device.device_type,
            properties=MappingProxyType(dict(device.properties)),
        )

    def prop(self, key: str) -> str | None:
        return self.properties.get(key)


@dataclass(frozen=True)
class HotplugEvent:
    kind: HotplugKind
    sys_path: str
    device_node: str | None = None
    detail: str = ""
    # DISPLAY_CHANGED: every connector of the card and whether a screen is on it now
    connectors: tuple[tuple[str, bool], ...] = ()

    def describe(self) -> str:
        return f"{self.kind.value}: {self.device_node or self.sys_path}" + (f" ({self.detail})" if self.detail else "")


# -- classification (pure, over udev properties) ---------------------------------------------
def is_touchscreen(dev: UdevDevice) -> bool:
    """An input event node (``/dev/input/eventN``) that udev's input_id tagged as a touch
    screen. Only the event node counts: the parent ``inputN`` and ``mouseN`` of the same
    screen would otherwise report it two or three times."""
    return (
        dev.subsystem == "input"
        and dev.prop("ID_INPUT_TOUCHSCREEN") == "1"
        and (dev.device_node or "").startswith("/dev/input/event")
    )


def is_usb_storage(dev: UdevDevice) -> bool:
    # The root filesystem's SD card or NVMe disk also sends block events: only USB counts.
    return dev.subsystem == "block" and dev.prop("ID_BUS") == "usb"


def has_filesystem(dev: UdevDevice) -> bool:
    return dev.prop("ID_FS_USAGE") == "filesystem" and bool(dev.prop("ID_FS_TYPE"))


def classify(dev: UdevDevice, read_connectors: Callable[[str], tuple[tuple[str, bool], ...]] | None = None,
             ) -> HotplugEvent | None:
    """The event a device change means for the kiosk, or None when it does not matter."""
    if is_touchscreen(dev):
        name = dev.prop("ID_MODEL") or dev.prop("ID_PATH") or ""
        if dev.action == "add":
            return HotplugEvent(HotplugKind.TOUCH_ADDED, dev.sys_path, dev.device_node, name)
        if dev.action == "remove":
            return HotplugEvent(HotplugKind.TOUCH_REMOVED, dev.sys_path, dev.device_node, name)
        return None
    if dev.subsystem == "drm" and dev.action == "change" and dev.prop("HOTPLUG") == "1":
        connectors = (read_connectors or read_drm_connectors)(dev.sys_path)
        on = [name for name, connected in connectors if connected]
        return HotplugEvent(HotplugKind.DISPLAY_CHANGED, dev.sys_path, dev.device_node,
                            "connected: " + (", ".join(on) or "none"), connectors)
    if is_usb_storage(dev):
        if dev.action in ("add", "change") and has_filesystem(dev):
            label = dev.prop("ID_FS_LABEL") or dev.prop("ID_FS_UUID") or ""
            return HotplugEvent(HotplugKind.FILESYSTEM_ADDED, dev.sys_path, dev.device_node,
                                f"{dev.prop('ID_FS_TYPE')} {label}".strip())
        if dev.action == "remove":
            return HotplugEvent(HotplugKind.STORAGE_REMOVED, dev.sys_path, dev.device_node)
    return None


def read_drm_connectors(card_sys_path: str) -> tuple[tuple[str, bool], ...]:
    """``/sys/class/drm/card1/card1-HDMI-A-1/status`` → (("HDMI-A-1", True), ...)."""
    card = Path(card_sys_path)
    out = []
    try:
        entries = sorted(card.iterdir())
    except OSError:
        return ()
    for entry in entries:
        status = entry / "status"
        if entry.name.startswith(card.name + "-") and status.is_file():
            try:
                connected = status.read_text().strip() == "connected"
            except OSError:
                continue
            out.append((entry.name[len(card.name) + 1:], connected))
    return tuple(out)


# -- sources -----------------------------------------------------------------------------
class DeviceSource(Protocol):
    def start(self, handle: Callable[[UdevDevice], None]) -> None: ...

    def stop(self) -> None: ...


class PyudevSource:
    """udev's netlink monitor through a pyudev ``MonitorObserver`` thread.

    ``source="udev"`` (the default) gets events after udev's rules ran, with the
    properties classification needs (``ID_INPUT_TOUCHSCREEN``, ``ID_FS_TYPE``);
    ``"kernel"`` gets the raw kernel uevents (tests, or a system without udevd).
    """

    def __init__(self, subsystems: Iterable[str] = SUBSYSTEMS, source: str = "udev") -> None:
        self.subsystems = tuple(subsystems)
        self.source = source
        self._observer: Any = None

    def start(self, handle: Callable[[UdevDevice], None]) -> None:
        import pyudev

        monitor = pyudev.Monitor.from_netlink(pyudev.Context(), source=self.source)
        for subsystem in self.subsystems:
            monitor.filter_by(subsystem)  # several filters: any of them matches
        self._observer = pyudev.MonitorObserver(
            monitor, callback=lambda device: handle(UdevDevice.from_pyudev(device)), name="udev-monitor",
        )
        self._observer.start()

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()  # wakes its poll through a pipe, then joins
            self._observer = None


class FakeSource:
    """A source tests drive by hand: ``emit()`` delivers a device as the monitor would."""

    def __init__(self) -> None:
        self._handle: Callable[[UdevDevice], None] | None = None

    def start(self, handle: Callable[[UdevDevice], None]) -> None:
        self._handle = handle

    def stop(self) -> None:
        self._handle = None

    def emit(self, dev: UdevDevice) -> None:
        if self._handle is None:
            raise RuntimeError("FakeSource is not started")
        self._handle(dev)


class ReplaySource:
    """udev events read from a file of JSON lines, each a udev event environment
    (``ACTION``, ``SUBSYSTEM``, ``DEVPATH``, ``DEVNAME``, ``ID_…``), followed like
    ``tail -f``. For end-to-end tests and for rehearsing a USB import on a desk: the
    player uses it instead of netlink when ``KIOSK_HOTPLUG_REPLAY`` names a folder."""

    def __init__(self, events: Path, interval_s: float = 0.2) -> None:
        self.events = events
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, handle: Callable[[UdevDevice], None]) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._follow, args=(handle,), name="udev-replay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _follow(self, handle: Callable[[UdevDevice], None]) -> None:
        offset = 0
        while not self._stop.wait(self.interval_s):
            try:
                with self.events.open("rb") as f:
                    f.seek(offset)
                    chunk = f.read()
            except OSError:
                continue
            complete = chunk[:chunk.rfind(b"\n") + 1]  # a line still being written waits
            offset += len(complete)
            for line in complete.decode("utf-8", "replace").splitlines():
                if line.strip():
                    try:
                        handle(device_from_environment(json.loads(line)))
                    except (ValueError, TypeError) as e:
                        log.warning("%s: bad udev event line (%s)", self.events, e)


def device_from_environment(env: Mapping[str, str]) -> UdevDevice:
    """A :class:`UdevDevice` from a udev event environment, as libudev reads one."""
    if not isinstance(env, Mapping) or not env.get("SUBSYSTEM") or not env.get("DEVPATH"):
        raise ValueError("a udev event needs SUBSYSTEM and DEVPATH")
    props = {str(k): str(v) for k, v in env.items()}
    return UdevDevice(action=props.get("ACTION"), subsystem=props["SUBSYSTEM"], sys_path="/sys" + props["DEVPATH"],
                      device_node=props.get("DEVNAME"), device_type=props.get("DEVTYPE"),
                      properties=MappingProxyType(props))


# -- the watcher ---------------------------------------------------------------------------


class HotplugWatcher:
    """Watches udev and calls ``callback(HotplugEvent)`` from one dispatch thread, in order.

    A failing callback is logged and the watcher goes on: a bad handler must not stop
    the kiosk from noticing the next touch screen.
    """

    def __init__(
        self,
        callback: Callable[[HotplugEvent], None],
        source: DeviceSource | None = None,
        classify_device: Callable[[UdevDevice], HotplugEvent | None] = classify,
    ) -> None:
        self.callback = callback
        self.source = source if source is not None else PyudevSource()
        self.classify = classify_device
        self._queue: queue.Queue[HotplugEvent | None] = queue.Queue()  # None: stop
        self._thread: threading.Thread | None = None

    def start(self) -> HotplugWatcher:
        self._thread = threading.Thread(target=self._dispatch, name="hotplug-dispatch", daemon=True)
        self._thread.start()
        self.source.start(self._on_device)
        return self

    def stop(self) -> None:
        self.source.stop()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> HotplugWatcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _on_device(self, dev: UdevDevice) -> None:
        # Runs on the udev thread: classify (cheap) and hand over, nothing more.
        try:
            event = self.classify(dev)
        except Exception:
            log.exception("could not classify udev event for %s", dev.sys_path)
            return
        if event is not None:
            # debug: udev repeats "change" events; the handler logs what really changed
            log.debug("hotplug %s", event.describe())
            self._queue.put(event)

    def _dispatch(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self.callback(item)
            except Exception:
                log.exception("hotplug callback failed for %s", item)

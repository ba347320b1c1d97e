"""Hotplug classification over real pyudev devices, the watcher's ordering and error
handling, and a real netlink monitor receiving a real kernel uevent.

There is no touch screen, display or USB key here: devices for those are parsed by
libudev itself from a udev-style environment (``Devices.from_environment`` in a child
process, what a udev RUN+= program sees), so the property names and values are udev's real parsing, not a
dict we made up. This machine's own ``/sys/class/block/loop0`` is read with
``Devices.from_sys_path``.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import pyudev

from kiosk.device.hotplug import (
    FakeSource,
    HotplugEvent,
    HotplugKind,
    HotplugWatcher,
    PyudevSource,
    UdevDevice,
    classify,
    read_drm_connectors,
)

from .fakes import DRM_ENV, SD_CARD_ENV, TOUCH_ENV, USB_KEY_ENV, udev_device


def test_libudev_parses_the_event_environment_we_classify() -> None:
    dev = udev_device("add", TOUCH_ENV)
    assert dev.action == "add" and dev.subsystem == "input" and dev.device_node == "/dev/input/event3"
    assert dev.sys_path == "/sys" + TOUCH_ENV["DEVPATH"]
    assert dev.prop("ID_INPUT_TOUCHSCREEN") == "1"


@pytest.mark.parametrize("action, kind", [("add", HotplugKind.TOUCH_ADDED), ("remove", HotplugKind.TOUCH_REMOVED)])
def test_a_touch_screen_event_node_is_classified(action, kind) -> None:
    event = classify(udev_device(action, TOUCH_ENV))
    assert event == HotplugEvent(kind, "/sys" + TOUCH_ENV["DEVPATH"], "/dev/input/event3", "platform-fe205000.i2c")


def test_the_same_touch_screens_parent_and_mouse_nodes_are_not_reported_again() -> None:
    parent = {**TOUCH_ENV, "DEVPATH": TOUCH_ENV["DEVPATH"].rsplit("/", 1)[0]}
    del parent["DEVNAME"]
    mouse = {**TOUCH_ENV, "DEVNAME": "/dev/input/mouse0", "DEVPATH": parent["DEVPATH"] + "/mouse0"}
    keyboard = {**TOUCH_ENV, "ID_INPUT_TOUCHSCREEN": "0", "ID_INPUT_KEYBOARD": "1"}
    for env in (parent, mouse, keyboard):
        assert classify(udev_device("add", env)) is None


def test_a_usb_key_with_a_filesystem_is_a_content_pack_candidate() -> None:
    event = classify(udev_device("add", USB_KEY_ENV))
    assert event is not None and event.kind is HotplugKind.FILESYSTEM_ADDED
    assert (event.device_node, event.detail) == ("/dev/sda1", "vfat MAIRIE")
    removed = classify(udev_device("remove", USB_KEY_ENV))
    assert removed is not None and removed.kind is HotplugKind.STORAGE_REMOVED


def test_the_sd_card_and_a_usb_disk_without_filesystem_are_ignored() -> None:
    assert classify(udev_device("change", SD_CARD_ENV)) is None
    bare = {k: v for k, v in USB_KEY_ENV.items() if not k.startswith("ID_FS")}
    assert classify(udev_device("add", bare)) is None


def test_a_drm_hotplug_reads_which_connectors_have_a_screen(tmp_path: Path) -> None:
    card = tmp_path / "card1"
    for name, status in (("HDMI-A-1", "connected"), ("HDMI-A-2", "disconnected"), ("Writeback-1", "unknown")):
        (card / f"card1-{name}").mkdir(parents=True)
        (card / f"card1-{name}" / "status").write_text(status + "\n")
    (card / "power").mkdir()
    event = classify(udev_device("change", DRM_ENV), read_connectors=lambda _: read_drm_connectors(str(card)))
    assert event is not None and event.kind is HotplugKind.DISPLAY_CHANGED
    assert event.connectors == (("HDMI-A-1", True), ("HDMI-A-2", False), ("Writeback-1", False))
    assert event.detail == "connected: HDMI-A-1"
    assert read_drm_connectors(str(tmp_path / "no-such-card")) == ()


def test_this_machines_loop_device_is_read_from_sysfs_and_ignored() -> None:
    path = Path("/sys/class/block/loop0")
    if not path.exists():
        pytest.skip("no /sys/class/block/loop0 on this machine")
    dev = UdevDevice.from_pyudev(pyudev.Devices.from_sys_path(pyudev.Context(), str(path)))
    assert dev.subsystem == "block" and dev.device_node == "/dev/loop0" and dev.device_type == "disk"
    assert dev.prop("MAJOR") == "7"
    assert classify(dev) is None  # not USB


# -- the watcher --------------------------------------------------------------------------
def _collect() -> tuple[list[HotplugEvent], threading.Event, Callable[[HotplugEvent], None]]:
    got: list[HotplugEvent] = []
    seen = threading.Event()

    def callback(event: HotplugEvent) -> None:
        got.append(event)
        seen.set()
    return got, seen, callback


def test_events_reach_the_callback_in_order_from_the_dispatch_thread() -> None:
    source = FakeSource()
    threads: list[str] = []
    got: list[HotplugEvent] = []
    done = threading.Event()

    def callback(event: HotplugEvent) -> None:
        threads.append(threading.current_thread().name)
        got.append(event)
        if len(got) == 3:
            done.set()

    devices = [udev_device("add", TOUCH_ENV), udev_device("add", SD_CARD_ENV),
               udev_device("add", USB_KEY_ENV), udev_device("remove", TOUCH_ENV)]
    with HotplugWatcher(callback, source=source):
        for dev in devices:
            source.emit(dev)
        assert done.wait(5)
    assert [e.kind for e in got] == [HotplugKind.TOUCH_ADDED, HotplugKind.FILESYSTEM_ADDED, HotplugKind.TOUCH_REMOVED]
    assert set(threads) == {"hotplug-dispatch"}


def test_a_failing_callback_is_logged_and_later_events_still_arrive(caplog: pytest.LogCaptureFixture) -> None:
    source = FakeSource()
    got: list[HotplugEvent] = []
    second = threading.Event()

    def callback(event: HotplugEvent) -> None:
        got.append(event)
        if len(got) == 1:
            raise RuntimeError("handler bug")
        second.set()

    with HotplugWatcher(callback, source=source):
        source.emit(udev_device("add", TOUCH_ENV))
        source.emit(udev_device("remove", TOUCH_ENV))
        assert second.wait(5)
    assert "hotplug callback failed" in caplog.text and len(got) == 2


def test_the_real_udev_monitor_starts_and_stops() -> None:
    watcher = HotplugWatcher(lambda e: None, source=PyudevSource())
    try:
        watcher.start()
    except (OSError, pyudev.DeviceNotFoundError) as e:  # pragma: no cover - sandbox without netlink
        pytest.skip(f"no udev netlink socket here: {e}")
    started = time.monotonic()
    watcher.stop()
    assert time.monotonic() - started < 5
    assert not any(t.name in ("udev-monitor", "hotplug-dispatch") for t in threading.enumerate())


def test_a_real_kernel_uevent_goes_through_the_monitor_to_the_callback() -> None:
    """Writes ``change`` to loop0's uevent file (what ``udevadm trigger`` does) and waits
    for the kernel's uevent on a real netlink monitor."""
    uevent = Path("/sys/class/block/loop0/uevent")
    if not uevent.exists() or not os.access(uevent, os.W_OK):
        pytest.skip("needs root and /sys/class/block/loop0 to trigger a real uevent")
    seen: list[UdevDevice] = []
    arrived = threading.Event()

    def passthrough(dev: UdevDevice) -> HotplugEvent | None:
        if dev.sys_path.endswith("/loop0"):
            seen.append(dev)
            arrived.set()
        return classify(dev)  # the real classifier too: loop0 is no USB key

    got, _, callback = _collect()
    with HotplugWatcher(callback, source=PyudevSource(subsystems=("block",), source="kernel"),
                        classify_device=passthrough):
        deadline = time.monotonic() + 10
        while not arrived.is_set() and time.monotonic() < deadline:
            uevent.write_text("change")
            arrived.wait(1)
    if not seen:
        pytest.skip("kernel uevents do not reach this network namespace")
    assert seen[0].action == "change" and seen[0].subsystem == "block" and seen[0].device_node == "/dev/loop0"
    assert got == []

"""The player's device services without Kivy: the display schedule driving a real
backend command (a fake ``vcgencmd`` script on PATH, run through ``subprocess``) at its
cron times with an injected clock, the player idling while the screen is off, hotplug
events parsed by libudev handed over and logged once, USB packs imported once per plug,
and a missing netlink socket not stopping anything."""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.app.services import ImportRecord, PlayerServices, hotplug_source_from_env
from kiosk.app.touch_inputs import TouchInputs
from kiosk.config import load_config
from kiosk.device.display_power import BackendChoice, NoPower, VcgencmdPower
from kiosk.device.hotplug import FakeSource, HotplugEvent, HotplugKind, ReplaySource, classify, device_from_environment
from kiosk.device.status import render

from .fakes import DRM_ENV, TOUCH_ENV, USB_KEY_ENV, FakeBin, udev_device
from .test_usb_import import _tamper, live_version, make_pack

UTC = UTC
DAILY = '[display]\npower_backend = "vcgencmd"\non = "06:30"\noff = "23:00"\n'


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Hooks:
    """Records what the services ask the UI to do, and from which thread it was posted."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.changed = threading.Condition()

    def _add(self, name: str, value: object) -> None:
        with self.changed:
            self.calls.append((name, value))
            self.changed.notify_all()

    def screen_power_changed(self, on: bool) -> None:
        self._add("screen", on)

    def touch_changed(self, event: HotplugEvent) -> None:
        self._add("touch", event.kind)

    def display_changed(self, event: HotplugEvent) -> None:
        self._add("display", event.detail)

    def content_imported(self, record: ImportRecord) -> None:
        self._add("imported", record)

    def wait_for(self, name: str, count: int = 1, timeout: float = 20) -> list[object]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.named(name)) >= count, timeout), self.calls
            return self.named(name)

    def named(self, name: str) -> list[object]:
        return [v for n, v in self.calls if n == name]


def _config(tmp_path: Path, text: str = DAILY):
    f = tmp_path / "kiosk.toml"
    f.write_text(text)
    return load_config(f)


def _wait(predicate, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


@pytest.fixture
def scheduler():
    s = BackgroundScheduler(timezone="UTC")
    yield s
    if s.running:
        s.shutdown(wait=False)


def _services(tmp_path: Path, hooks: Hooks, clock: Clock, scheduler, backend=None, cfg_text: str = DAILY,
              source=None, mounts: Path | None = None, mount_wait_s: float = 5) -> PlayerServices:
    backend = backend or BackendChoice("vcgencmd", "test", VcgencmdPower())
    return PlayerServices(_config(tmp_path, cfg_text), tmp_path / "device", hooks, lambda call: call(),
                          now=clock, power=backend, source=source or FakeSource(),
                          mounts=mounts or tmp_path / "mounts", scheduler=scheduler, mount_wait_s=mount_wait_s)


# -- display power ---------------------------------------------------------------------------
def test_the_backend_command_runs_at_each_scheduled_switch_and_the_player_idles_while_off(
    tmp_path: Path, fakebin: FakeBin, scheduler, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    fakebin.add("vcgencmd", stdout="display_power=1\n")
    clock = Clock(datetime(2027, 3, 29, 10, 0, tzinfo=UTC))  # Monday 12:00 in Paris
    hooks = Hooks()
    services = _services(tmp_path, hooks, clock, scheduler).start()
    try:
        # applied at once, off the caller's thread, by a real subprocess
        _wait(lambda: len(scheduler.get_jobs()) == 2)
        # switched, then asked what the screen says
        assert fakebin.calls() == [["vcgencmd", "display_power", "1"], ["vcgencmd", "display_power"]]
        status = services.status()["display_power"]
        assert (status["scheduled"], status["applied"], status["player_idle"], status["reported"]) == \
               ("on", "on", False, "on")
        assert (status["next_change"], status["next_state"]) == ("2027-03-29T23:00:00+02:00", "off")
        assert hooks.calls == []  # the screen was on and stays on: nothing for the UI

        # Replay the cron fires: at each, the clock says what the scheduler's clock would.
        fires = []
        for job in scheduler.get_jobs():
            t = job.trigger.get_next_fire_time(None, clock.at)
            while t < clock.at + timedelta(days=2):
                fires.append((t.astimezone(UTC), job))
                t = job.trigger.get_next_fire_time(t, t + timedelta(seconds=1))
        fires.sort(key=lambda f: f[0])
        assert [f[0] for f in fires] == [datetime(2027, 3, 29, 21, 0, tzinfo=UTC), datetime(2027, 3, 30, 4, 30, tzinfo=UTC),
                                         datetime(2027, 3, 30, 21, 0, tzinfo=UTC), datetime(2027, 3, 31, 4, 30, tzinfo=UTC)]
        for at, job in fires[:2]:
            clock.at = at
            job.func(*job.args)
        assert fakebin.calls()[2:] == [["vcgencmd", "display_power", "0"], ["vcgencmd", "display_power"],
                                       ["vcgencmd", "display_power", "1"], ["vcgencmd", "display_power"]]
        assert hooks.named("screen") == [False, True]

        # And the scheduler's own thread runs a due job with the injected clock (23:00 again).
        clock.at = fires[2][0]
        scheduler.modify_job(fires[2][1].id, next_run_time=datetime.now(UTC))
        hooks.wait_for("screen", 3)
        assert fakebin.calls()[-2:] == [["vcgencmd", "display_power", "0"], ["vcgencmd", "display_power"]]
        status = services.status()["display_power"]
        # this fake screen always answers display_power=1: status shows the mismatch
        assert (status["scheduled"], status["applied"], status["player_idle"], status["reported"]) == \
               ("off", "off", True, "on")
        assert (status["next_change"], status["next_state"]) == ("2027-03-31T06:30:00+02:00", "on")
        text = render({"player": {"watchdog": {}, **services.status()}, "content": None, "last_sync": None},
                      now=clock.at)
        assert ("display     off but the screen reports on (scheduled off, on at 2027-03-31 06:30; "
                "backend vcgencmd, player idle)") in text.splitlines()
    finally:
        services.stop()
    assert not scheduler.running
    assert caplog.text.count("player idles (screen scheduled off)") == 2
    assert caplog.text.count("player resumes") == 1


def test_with_no_backend_the_schedule_is_only_logged_and_the_player_keeps_playing(
    tmp_path: Path, scheduler,
) -> None:
    clock = Clock(datetime(2027, 3, 29, 22, 0, tzinfo=UTC))  # Monday, midnight in Paris
    hooks = Hooks()
    services = _services(tmp_path, hooks, clock, scheduler, backend=BackendChoice("none", "test", NoPower())).start()
    try:
        _wait(lambda: services.status()["display_power"]["applied"] == "off")
        status = services.status()["display_power"]
        assert status["player_idle"] is False and status["backend"] == "none"
        assert hooks.calls == []
    finally:
        services.stop()


def test_a_failing_backend_command_keeps_the_player_playing_and_shows_in_status(
    tmp_path: Path, fakebin: FakeBin, scheduler, caplog: pytest.LogCaptureFixture,
) -> None:
    fakebin.add("vcgencmd", exit_code=1, stderr="not supported under KMS\n")
    clock = Clock(datetime(2027, 3, 29, 22, 0, tzinfo=UTC))
    hooks = Hooks()
    services = _services(tmp_path, hooks, clock, scheduler).start()
    try:
        _wait(lambda: services.status()["display_power"]["error"] is not None)
        status = services.status()["display_power"]
        assert status == {**status, "applied": None, "player_idle": False,
                          "error": "could not switch the screen off (see the log)"}
        assert hooks.calls == []
    finally:
        services.stop()
    assert "vcgencmd display_power 0: exit status 1: not supported under KMS" in caplog.text


# -- hotplug ---------------------------------------------------------------------------------
def test_touch_and_display_changes_reach_the_ui_and_are_logged_once(
    tmp_path: Path, scheduler, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    card = tmp_path / "card1"
    (card / "card1-HDMI-A-1").mkdir(parents=True)
    (card / "card1-HDMI-A-1" / "status").write_text("connected\n")
    source, hooks = FakeSource(), Hooks()
    services = _services(tmp_path, hooks, Clock(datetime(2027, 3, 29, 10, 0, tzinfo=UTC)), scheduler,
                         backend=BackendChoice("none", "test", NoPower()), source=source)
    services.watcher.classify = lambda dev: classify(dev, read_connectors=lambda _path: (("HDMI-A-1", True),))
    services.start()
    try:
        for action in ("add", "add", "remove"):
            source.emit(udev_device(action, TOUCH_ENV))
        source.emit(udev_device("change", DRM_ENV))
        source.emit(udev_device("change", DRM_ENV))  # same connectors: nothing new
        hooks.wait_for("display")
        hooks.wait_for("touch", 3)
        assert hooks.named("touch") == [HotplugKind.TOUCH_ADDED, HotplugKind.TOUCH_ADDED, HotplugKind.TOUCH_REMOVED]
        time.sleep(0.2)
        assert hooks.named("display") == ["connected: HDMI-A-1"]
        hotplug = services.status()["hotplug"]
        assert hotplug["watching"] is True and hotplug["touch_screens"] == []
        assert hotplug["displays"] == {"card1": ["HDMI-A-1"]}
    finally:
        services.stop()
    assert caplog.text.count("touch screen added: /dev/input/event3") == 1
    assert caplog.text.count("touch screen removed: /dev/input/event3") == 1
    assert caplog.text.count("display card1: connected: HDMI-A-1") == 1


class _BrokenSource:
    def start(self, handle) -> None:
        raise OSError(93, "Protocol not supported")

    def stop(self) -> None:
        pass


def test_without_a_udev_netlink_socket_the_player_logs_once_and_carries_on(
    tmp_path: Path, scheduler, caplog: pytest.LogCaptureFixture,
) -> None:
    services = _services(tmp_path, Hooks(), Clock(datetime(2027, 3, 29, 10, 0, tzinfo=UTC)), scheduler,
                         backend=BackendChoice("none", "test", NoPower()), source=_BrokenSource()).start()
    try:
        hotplug = services.status()["hotplug"]
        assert hotplug == {**hotplug, "watching": False, "error": "OSError: [Errno 93] Protocol not supported"}
        _wait(lambda: services.status()["display_power"]["applied"] == "on")  # the rest runs
    finally:
        services.stop()
    assert caplog.text.count("hotplug watching unavailable") == 1


# -- USB import ------------------------------------------------------------------------------
def test_a_usb_key_is_imported_once_per_plug_and_reported(tmp_path: Path, scheduler) -> None:
    key, doc = make_pack(tmp_path, "v1")
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/mmcblk0p2 / ext4 rw 0 0\n/dev/sda1 {key} vfat ro,nosuid 0 0\n")
    source, hooks = FakeSource(), Hooks()
    clock = Clock(datetime(2027, 3, 29, 10, 0, tzinfo=UTC))
    services = _services(tmp_path, hooks, clock, scheduler, backend=BackendChoice("none", "test", NoPower()),
                         source=source, mounts=mounts).start()
    try:
        source.emit(udev_device("add", USB_KEY_ENV))
        source.emit(udev_device("change", USB_KEY_ENV))  # udev often follows with a change: same plug
        (first,) = hooks.wait_for("imported")
        assert (first.ok, first.outcome, first.device, first.pack) == (True, "updated", "/dev/sda1", str(key))
        assert first.live_version == doc["version"] == live_version(tmp_path / "device")
        last = services.status()["usb_import"]["last"]
        assert last == {**last, "ok": True, "live_version": doc["version"], "at": "2027-03-29T10:00:00+00:00"}

        source.emit(udev_device("remove", USB_KEY_ENV))
        source.emit(udev_device("add", USB_KEY_ENV))  # plugged in again: looked at again
        second = hooks.wait_for("imported", 2)[1]
        assert second.ok and second.outcome == "unchanged"
        time.sleep(0.3)
        assert len(hooks.named("imported")) == 2
    finally:
        services.stop()


def test_a_tampered_usb_pack_is_refused_and_the_status_says_why(tmp_path: Path, scheduler) -> None:
    key, doc = make_pack(tmp_path, "bad")
    _tamper(key, doc["media"][0], "flip")
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 {key} vfat ro 0 0\n")
    source, hooks = FakeSource(), Hooks()
    services = _services(tmp_path, hooks, Clock(datetime(2027, 3, 29, 10, 0, tzinfo=UTC)), scheduler,
                         backend=BackendChoice("none", "test", NoPower()), source=source, mounts=mounts).start()
    try:
        source.emit(udev_device("add", USB_KEY_ENV))
        (record,) = hooks.wait_for("imported")
    finally:
        services.stop()
    assert not record.ok and record.outcome == "incomplete"
    assert "does not match its sha256" in record.message and record.live_version is None


def test_stopping_the_player_does_not_wait_for_a_key_that_is_never_mounted(tmp_path: Path, scheduler) -> None:
    source, hooks = FakeSource(), Hooks()
    services = _services(tmp_path, hooks, Clock(datetime(2027, 3, 29, 10, 0, tzinfo=UTC)), scheduler,
                         backend=BackendChoice("none", "test", NoPower()), source=source, mount_wait_s=60).start()
    source.emit(udev_device("add", USB_KEY_ENV))
    _wait(lambda: services.status()["usb_import"]["importing"] == "/dev/sda1")
    started = time.monotonic()
    services.stop()
    assert time.monotonic() - started < 3


# -- the replay source and touch re-detection ----------------------------------------------------
def test_a_replayed_udev_event_reads_like_libudevs_own_parsing(tmp_path: Path) -> None:
    for action, env in (("add", USB_KEY_ENV), ("remove", TOUCH_ENV)):
        mine = device_from_environment({**env, "ACTION": action})
        theirs = udev_device(action, env)
        assert (mine.action, mine.subsystem, mine.sys_path, mine.device_node, mine.device_type) == \
               (theirs.action, theirs.subsystem, theirs.sys_path, theirs.device_node, theirs.device_type)
        assert classify(mine) == classify(theirs)


def test_the_replay_source_follows_its_file_and_waits_for_whole_lines(tmp_path: Path) -> None:
    events = tmp_path / "events"
    got: list[str] = []
    source = ReplaySource(events, interval_s=0.02)
    source.start(lambda dev: got.append(f"{dev.action} {dev.device_node}"))
    try:
        time.sleep(0.1)  # no file yet: nothing, no error
        line = json.dumps({**USB_KEY_ENV, "ACTION": "add"})
        events.write_text(line[:20])
        time.sleep(0.1)
        assert got == []
        with events.open("a") as f:
            f.write(line[20:] + "\n" + "not json\n" + json.dumps({**TOUCH_ENV, "ACTION": "remove"}) + "\n")
        _wait(lambda: len(got) == 2, 5)
    finally:
        source.stop()
    assert got == ["add /dev/sda1", "remove /dev/input/event3"]
    source_, mounts = hotplug_source_from_env({"KIOSK_HOTPLUG_REPLAY": str(tmp_path)})
    assert isinstance(source_, ReplaySource) and mounts == tmp_path / "mounts"


class _Provider:
    def __init__(self, node: str, alive: bool = True) -> None:
        self.input_fn = node
        self.thread = threading.Thread(target=lambda: None)
        self.alive = alive
        self.started = self.stopped = 0
        if alive:
            self.thread.is_alive = lambda: True  # type: ignore[method-assign]

    def start(self) -> None:
        self.started += 1

    def stop(self) -> None:
        self.stopped += 1


class _Loop:
    def __init__(self, providers: list[_Provider]) -> None:
        self.input_providers = providers

    def add_input_provider(self, p: _Provider) -> None:
        self.input_providers.append(p)

    def remove_input_provider(self, p: _Provider) -> None:
        self.input_providers.remove(p)


def test_a_touch_screen_plugged_back_in_gets_a_fresh_reader() -> None:
    dead, other = _Provider("/dev/input/event3", alive=False), _Provider("/dev/input/event1")
    loop = _Loop([other, dead])
    inputs = TouchInputs(loop, lambda node: _Provider(node, alive=False))
    added = classify(udev_device("add", TOUCH_ENV))
    inputs.handle(added)
    assert dead not in loop.input_providers and dead.stopped == 1
    fresh = loop.input_providers[-1]
    assert fresh.input_fn == "/dev/input/event3" and fresh.started == 1 and other.stopped == 0
    inputs.handle(classify(udev_device("remove", TOUCH_ENV)))
    assert loop.input_providers == [other]
    alive = _Provider("/dev/input/event3")
    loop.input_providers.append(alive)
    inputs.handle(added)  # a reader still running is left alone
    assert loop.input_providers == [other, alive] and alive.stopped == 0
    TouchInputs(loop, None).handle(added)  # headless: nothing to open
    assert loop.input_providers == [other, alive]


def test_kiosk_status_text_shows_display_power_hotplug_and_the_last_usb_import(tmp_path: Path, scheduler) -> None:
    hooks = Hooks()
    clock = Clock(datetime(2027, 3, 29, 22, 0, tzinfo=UTC))  # Tuesday 00:00 in Paris: off
    services = _services(tmp_path, hooks, clock, scheduler, backend=BackendChoice("none", "test", NoPower()),
                         source=_BrokenSource(), mounts=tmp_path / "no-mounts", mount_wait_s=0.05).start()
    try:
        _wait(lambda: services.status()["display_power"]["applied"] == "off")
        services._on_hotplug(classify(udev_device("add", USB_KEY_ENV)))  # as the dispatch thread would
        hooks.wait_for("imported")
        player = {"showing": "img-0", "showing_kind": "image", "why": "playlist lobby", "uptime_s": 5,
                  "slides_shown": 1, "screen": [640, 360], "watchdog": {}, **services.status()}
    finally:
        services.stop()
    text = render({"player": player, "content": None, "last_sync": None}, now=clock.at)
    lines = text.splitlines()
    assert "display     off (scheduled off, on at 2027-03-30 06:30; backend none)" in lines  # none reports unknown
    assert "hotplug     not watching (OSError: [Errno 93] Protocol not supported)" in lines
    assert ("usb import  not-mounted from /dev/sda1 at 2027-03-29 22:00:00: "
            "/dev/sda1: not mounted after 0.05 s; nothing imported") in lines


def test_a_headless_player_with_automatic_backend_switches_no_real_screen(
    tmp_path: Path, fakebin: FakeBin, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kiosk.app.services import services_for_player

    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    fakebin.add("vcgencmd")  # would be detected on a Pi
    auto = _config(tmp_path, '[display]\non = "06:30"\noff = "23:00"\n')
    env = {"KIOSK_HOTPLUG_REPLAY": str(tmp_path)}
    # windowed: detected (vcgencmd here, or this machine's backlight panel)
    assert services_for_player(auto, tmp_path, Hooks(), lambda c: c(), env=env).power.name != "none"
    headless = services_for_player(auto, tmp_path, Hooks(), lambda c: c(), headless=True, env=env)
    assert (headless.power.name, headless.power.reason) == ("none", "headless player: no screen to switch")
    explicit = services_for_player(_config(tmp_path), tmp_path, Hooks(), lambda c: c(), headless=True, env=env)
    assert explicit.power.name == "vcgencmd"  # set in the config: the technician asked for it


def test_no_schedule_and_no_backend_start_no_scheduler(tmp_path: Path, scheduler) -> None:
    services = _services(tmp_path, Hooks(), Clock(datetime(2027, 3, 29, 22, 0, tzinfo=UTC)), scheduler,
                         backend=BackendChoice("none", "test", NoPower()), cfg_text='[device]\nmode = "signage"\n')
    services.start()
    try:
        assert not scheduler.running
        power = services.status()["display_power"]
        assert (power["scheduled"], power["applied"], power["next_change"]) == ("on", None, None)
    finally:
        services.stop()


def test_the_schedule_starts_even_when_the_scheduler_thread_gets_to_it_late(
    tmp_path: Path, fakebin: FakeBin, scheduler,
) -> None:
    fakebin.add("vcgencmd", stdout="display_power=0\n")
    scheduler.start(paused=True)  # stands for a scheduler thread held up while Kivy starts
    services = _services(tmp_path, Hooks(), Clock(datetime(2027, 3, 29, 22, 0, tzinfo=UTC)), scheduler).start()
    try:
        time.sleep(1.5)  # longer than APScheduler's default misfire grace of 1 s
        scheduler.resume()
        _wait(lambda: len(scheduler.get_jobs()) == 2)
        assert fakebin.calls()[0] == ["vcgencmd", "display_power", "0"]
    finally:
        services.stop()

"""Kivy side of the player's device services (imported after kiosk.device.kivy_env.prepare_kivy).

:class:`UiInbox` is how service threads reach the UI thread: a queue drained by a
``Clock`` trigger, so calls run in the order they were posted (``@mainthread`` gives no
such promise). :class:`PlayerHooks` is what the UI does for each service event.
"""
from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk.app.services import ImportRecord, PlayerServices, services_for_player
from kiosk.app.touch_inputs import TouchInputs
from kiosk.device.hotplug import HotplugEvent

if TYPE_CHECKING:
    from kiosk.app.host import PlayerHost

log = logging.getLogger(__name__)

SERVICE_MODES = ("signage", "kiosk", "hybrid")


class UiInbox:
    """Calls posted from any thread, run on the UI thread in order."""

    def __init__(self, wake: Callable[[], None] | None = None) -> None:
        """``wake``: ends the UI thread's wait for its next frame (the frame pacer's)."""
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._trigger = Clock.create_trigger(self._drain, 0)
        self._wake = wake

    def post(self, call: Callable[[], None]) -> None:
        self._calls.put(call)
        self._trigger()
        if self._wake is not None:
            self._wake()

    def _drain(self, _dt: float) -> None:
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            try:
                call()
            except Exception:  # one bad handler must not stop the next ones
                log.exception("device service handler failed")


def kivy_provider_factory(headless: bool) -> Callable[[str], Any] | None:
    if headless:
        return None
    from kivy.input.factory import MotionEventFactory

    def make(node: str) -> Any:
        # hidinput needs no native library (mtdev needs libmtdev) and reads every
        # multi-touch protocol the kernel's evdev offers.
        return MotionEventFactory.get("hidinput")(f"touch-{Path(node).name}", node)
    return make


class PlayerHooks:
    def __init__(self, app: PlayerHost) -> None:
        from kivy.base import EventLoop

        self.app = app
        self.touch = TouchInputs(EventLoop, kivy_provider_factory(app.options.headless))

    def screen_power_changed(self, on: bool) -> None:
        self.app.set_screen_power(on)

    def touch_changed(self, event: HotplugEvent) -> None:
        self.touch.handle(event)

    def display_changed(self, event: HotplugEvent) -> None:
        from kivy.core.window import Window

        # A screen plugged back in shows whatever is drawn next: draw now, at full rate.
        self.app.pacer.nudge()
        Window.canvas.ask_update()

    def content_imported(self, record: ImportRecord) -> None:
        if record.ok:
            self.app.check_new_content()


def start_services(app: PlayerHost) -> PlayerServices | None:
    """Start the device services for a player with a config; None when they cannot run."""
    options = app.options
    if options.config is None or options.mode not in SERVICE_MODES:
        return None
    inbox = UiInbox(app.pacer.wake_from_thread)
    try:
        return services_for_player(options.config, options.data_dir, PlayerHooks(app), inbox.post,
                                   now=app.state.now, headless=options.headless).start()
    except Exception:  # the slide loop matters more than any service
        log.exception("device services not started")
        return None

"""The player's link to the device: systemd notify/watchdog and the control socket.

Kivy side (imported after kiosk.device.kivy_env.prepare_kivy). Everything here runs on the UI
thread except the socket's accept loop, which only queues requests.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk import __version__
from kiosk.app.screenshots import save_window
from kiosk.device.control import ControlError, ControlServer, listen_path
from kiosk.device.sdnotify import Notifier

if TYPE_CHECKING:
    from kiosk.app.host import PlayerHost

log = logging.getLogger(__name__)

MAX_FREEZE_S = 120.0


class DeviceLink:
    def __init__(self, app: PlayerHost, notifier: Notifier | None = None) -> None:
        self.app = app
        self.notifier = notifier or Notifier()
        self.started = time.monotonic()
        self.ready_sent = False
        self.pings = 0
        self.control: ControlServer | None = None

    def start(self) -> None:
        try:
            answer = Clock.create_trigger(self._answer, 0)

            def wake() -> None:  # the socket's thread: answered now, not at the next idle frame
                answer()
                self.app.pacer.wake_from_thread()

            self.control = ControlServer(listen_path(self.app.options.data_dir), wake)
            self.control.start()
        except OSError as e:
            log.warning("control socket unavailable: %s", e)
            self.control = None

    def _ready(self, what: str) -> None:
        self.notifier.ready(what)
        interval = self.notifier.watchdog_interval_s
        if interval:
            # Pinged from Kivy's main loop: if the loop freezes, the pings stop and
            # systemd restarts the player (WatchdogSec in the unit).
            Clock.schedule_interval(self._ping, interval)
            log.info("watchdog: pinging every %.1f s", interval)

    def _ping(self, _dt: float) -> None:
        self.notifier.watchdog()
        self.pings += 1

    def first_frame_shown(self, what: str) -> None:
        """Called after the first slide is on screen: READY=1 once, then STATUS updates."""
        if not self.ready_sent:
            self.ready_sent = True
            # Wait for the frame to be drawn, not just built.
            Clock.schedule_once(lambda _dt: self._ready(what), 0)
        else:
            self.notifier.status(what)

    def stop(self) -> None:
        self.notifier.stopping()
        if self.control:
            self.control.stop()

    # -- control commands (UI thread) --------------------------------------------------
    def _answer(self, _dt: float) -> None:
        if self.control:
            self.control.handle_pending(self.command)

    def command(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        app = self.app
        if name == "status":
            return self.status()
        if name == "screenshot":
            path = Path(str(args.get("path", "")))
            if not path.is_absolute() or not path.parent.is_dir():
                raise ControlError(f"screenshot path {path} must be absolute, in an existing folder")
            try:
                size = save_window(path, app.options.orientation)  # upright as the panel is seen
            except OSError as e:
                raise ControlError(str(e)) from None
            return {"path": str(path), "size": list(size)}
        if name == "next":
            app.show_next()
            return {"showing": app.current_item_id, "mode": app.options.mode, "touch": app.touch_status}
        if name == "test-card":
            seconds = float(args.get("seconds", 30))
            app.show_test_card(max(1.0, min(seconds, 600.0)))
            return {"showing": "test-card"}
        if name == "freeze":
            # For checking the watchdog end to end: block the main loop on purpose.
            seconds = max(0.0, min(float(args.get("seconds", 10)), MAX_FREEZE_S))
            log.warning("freezing the UI main loop for %.0f s (watchdog test)", seconds)
            Clock.schedule_once(lambda _dt: time.sleep(seconds), 0)
            return {"frozen_s": seconds}
        raise ControlError(f"unknown command {name!r}")

    def status(self) -> dict[str, Any]:
        app = self.app
        content = app.state.content
        return {
            "software": __version__,
            "pid": __import__("os").getpid(),
            "uptime_s": round(time.monotonic() - self.started),
            "showing": app.current_item_id,
            "showing_kind": app.current_kind,
            "why": app.current_reason,
            "content_version": content.version_id if content else None,
            "generation": app.state.generation,
            "slides_shown": len(app.shown),
            "screen": list(Window.size),
            "watchdog": {
                "enabled": bool(self.notifier.watchdog_interval_s),
                "interval_s": self.notifier.watchdog_interval_s,
                "pings": self.pings,
            },
            "notify": self.notifier.enabled,
            "frame_rate_cap": app.pacer.fps,
            "mode": app.options.mode,
            "ticker": app.options.ticker,  # where its ticker strip is (display.ticker), or None
            "alerts": app.alerts_on_screen,
            "touch": app.touch_mode,
            "touch_screen": app.touch_status,
            # display power, hotplug, USB import: "starting" until just after the first frame
            "device_services": app.services_phase,
            **(app.services.status() if app.services is not None else {}),
        }

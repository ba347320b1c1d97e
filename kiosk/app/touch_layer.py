"""The touch kiosk around the signage loop (modes ``kiosk`` and ``hybrid``).

In ``hybrid`` the loop is the attract screen: a tap opens the kiosk home, the loop pauses,
and after the idle countdown the kiosk resets to the loop. In ``kiosk`` there is no loop.
Kivy side: imported after kiosk.device.kivy_env.prepare_kivy.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from kivy.core.window import Window
from kivy.metrics import Metrics
from kivy.uix.widget import Widget

from content_cache import CacheError
from kiosk import __version__
from kiosk.device.folders import writable_folder
from kiosk.device.sync_now import SyncNow
from kiosk.touch import AdminActions, AdminInfo, TouchOptions, build_touch_root, last_sync_from_records, lock_window
from kiosk.touch.theme import screen_dpi

if TYPE_CHECKING:
    from content_cache import LiveContent
    from kiosk.app.host import PlayerHost

log = logging.getLogger(__name__)


class TouchLayer:
    def __init__(self, app: PlayerHost, loop: Widget) -> None:
        self.app = app
        self._sync = SyncNow(app.options.data_dir, app.options.config_path)
        mode = app.options.mode
        dpi = screen_dpi(Window.width, dpi=app.options.display_dpi, width_mm=app.options.display_width_mm,
                         fallback=float(Metrics.dpi))
        log.info("touch UI sized for %.0f dpi (%s)", dpi, "display.dpi" if app.options.display_dpi else
                 "display.width_mm" if app.options.display_width_mm else "reported by the system")
        options = TouchOptions(
            dpi=dpi,
            admin_pin_hash=app.options.admin_pin_hash,
            admin_info=self._admin_info,
            admin_actions=AdminActions(sync_now=self._sync_now, test_card=lambda: app.show_test_card(30.0),
                                       restart_player=app.stop),
            media_path=app.state.cache.store.path_for,
            # beside the slides' downscaled images (kiosk.app.next_slide keeps the pages' when pruning)
            derived_dir=writable_folder(app.options.data_dir / "derived"),
            # the loop's status bar (and a bottom ticker) stay in view under the band
            attract_band_y=app.bottom_band_height() if mode == "hybrid" else 0.0,
        )
        # Election reserve period: the pages the neutrality policy withholds never show.
        content, _withheld = app.state.kiosk_content()
        self.root = build_touch_root(content, loop if mode == "hybrid" else None, options,
                                     app.state.now)
        self.root.bind(on_session_start=self._session_started, on_attract=self._back_to_attract,
                       on_screen_shown=lambda _w, name: app.screenshot_touch(name))
        if mode == "kiosk":  # shown before the binding: no loop slide will trigger a screenshot
            app.screenshot_touch("attract")
        self._unlock: Callable[[], None] | None = None

    def lock(self) -> None:
        self._unlock = lock_window(Window, self.app)

    def set_content(self, content: LiveContent | None) -> None:
        self.root.set_content(content)

    def _session_started(self, _w: object, lang: str) -> None:
        log.info("touch session started (%s); the loop pauses", lang)
        self.app.pause_loop()

    def _back_to_attract(self, _w: object, reason: str) -> None:
        log.info("back to the attract loop (%s)", reason)
        self.app.resume_loop()

    def _sync_now(self) -> None:
        self._sync.request()  # SyncNowError: the overlay shows its line

    def _admin_info(self) -> AdminInfo:
        state = self.app.state
        try:
            runs = state.cache.full().last_sync_runs(1)
        except (CacheError, OSError, sqlite3.Error):  # a damaged or read-only cache: no history to show
            runs = []
        return AdminInfo(
            device_id=self.app.options.device_id or "-",
            software_version=__version__,
            content_version=state.content.version_id if state.content else "-",
            last_sync=last_sync_from_records(runs),
            network="see kiosk doctor",
            reserve_period=(answer.reserve.names, answer.reserve.last_day)
            if (answer := state.answer) is not None and answer.reserve is not None else None,
        )

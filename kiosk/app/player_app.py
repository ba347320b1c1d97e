"""The player's Kivy application: the slide loop with its bands (status bar, alert banner,
ticker: :mod:`kiosk.app.bands`) and, in kiosk and hybrid modes, the touch UI over it. What
comes next is :mod:`kiosk.app.next_slide`'s answer; the app prepares it off-screen and
swaps it in.

Here: its state, the Kivy lifecycle and the device services started after the first
frame. The slides changing are :class:`kiosk.app.slide_loop.SlideLoop`, the schedule
followed :class:`kiosk.app.schedule_watch.ScheduleWatch` (mixins, typed by
:class:`kiosk.app.player_parts.PlayerParts`).

Imported only after :func:`kiosk.device.kivy_env.prepare_kivy` (:func:`kiosk.app.run.run_player`).
Its helpers (device link, touch layer, service hooks) see it as a
:class:`kiosk.app.host.PlayerHost`.
"""
from __future__ import annotations

import importlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.widget import Widget

from content_cache import CacheError
from kiosk.app.bands import LoopBands
from kiosk.app.device_link import DeviceLink
from kiosk.app.frame_pacer import IDLE_FPS, SIGNAGE_IDLE_FPS, FramePacer, flush_each_frame
from kiosk.app.heap_trim import freeze_long_lived, heap_trimmer
from kiosk.app.next_slide import NextSlide
from kiosk.app.options import PlayerOptions
from kiosk.app.player_cache import PlayerCache
from kiosk.app.player_parts import Cancellable
from kiosk.app.proof_of_play import ProofOfPlay, SerialWriter
from kiosk.app.schedule_watch import ScheduleWatch
from kiosk.app.screenshots import ScreenshotSaver
from kiosk.app.slide_loop import SlideLoop
from kiosk.app.state import PlaybackState
from kiosk.app.test_card import TestCardOverlay
from kiosk.device.folders import writable_folder
from player.render.slides import Slide, screen_size, set_turned_screen
from player.render.text_fit import load_dictionaries
from player.schedule import alert_id_of

if TYPE_CHECKING:
    from kiosk.app.services import PlayerServices
    from kiosk.app.touch_layer import TouchLayer

log = logging.getLogger(__name__)

HEAP_TRIM_DELAY_S = 1.0
# At exit, what proof of play still has to write is waited for this long (the service
# manager's stop timeout is longer).
PROOF_WRITES_TIMEOUT_S = 10.0


class PlayerApp(SlideLoop, ScheduleWatch, App):
    title = "Town kiosk"

    def __init__(self, options: PlayerOptions, cache: PlayerCache, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.options = options
        self.state = PlaybackState(cache, options, now)
        self.exit_code = 0
        self._current: Slide | None = None
        self._advance = Clock.create_trigger(lambda _dt: self.show_next(), 0)
        self._slide_timer: Cancellable | None = None
        self._deadline: Cancellable | None = None
        self._trim_heap: Callable[[], None] | None = None
        self.screenshots = ScreenshotSaver(options.screenshots, options.orientation)
        self.test_card = TestCardOverlay()
        self._top: Widget | None = None  # what the picture is made of (before any turn)
        self.shown: list[str] = []
        self.current_kind: str | None = None
        self.current_reason: str = ""
        self.pacer = FramePacer(idle_fps=options.idle_fps or (
            SIGNAGE_IDLE_FPS if options.mode == "signage" else IDLE_FPS))
        self.pacer.take_over_idle()
        self.device = DeviceLink(self)
        self._pending: Slide | None = None
        self.next_slide = NextSlide(self.state, writable_folder(options.data_dir / "derived"))  # prepared images
        self._proof_writer = SerialWriter("proof-of-play")  # its database writes, off the UI thread
        self.proof = ProofOfPlay(cache.full, now, data_dir=options.data_dir,
                                 retention_days=options.config.reports.retention_days if options.config else None,
                                 record=options.preview_at is None, run=self._proof_writer.submit)
        self._kiosk_key: tuple[int, bool] | None = None
        self._loop_paused = False
        self._dark = False  # the display schedule switched the screen off
        self.services: PlayerServices | None = None
        # "starting" until the first frame is drawn and the services are started after it
        self.services_phase = "starting"
        self._stopping = False
        self.touch: TouchLayer | None = None
        self.bands = LoopBands(options.ticker, self.pacer)

    def bottom_band_height(self) -> float:
        """Share of the screen's height the loop's own bands take at the bottom."""
        return self.bands.bottom_height()

    @property
    def current_item_id(self) -> str | None:
        if self.test_card.shown:
            return "test-card"
        return self._current.item_id if self._current else None

    @property
    def alerts_on_screen(self) -> list[str]:
        """The alerts on screen now: the touch UI's while it covers the loop (a session,
        or kiosk mode), else the loop's banner and full-screen one (item alert-<id>)."""
        if self.touch is not None and (self.options.mode == "kiosk" or self.touch.root.mode == "interactive"):
            return list(self.touch.root.status().alerts)
        alert = alert_id_of(self._current.item_id if self._current else None)
        return [*self.bands.alert_ids, *([alert] if alert else [])]

    @property
    def touch_mode(self) -> str | None:
        """The touch UI's mode ("attract" or "interactive"); None without one."""
        return self.touch.root.mode if self.touch is not None else None

    @property
    def touch_status(self) -> dict[str, object] | None:
        """What the touch UI shows (kiosk.touch.on_screen.TouchStatus); None without one."""
        return self.touch.root.status().as_dict() if self.touch is not None else None

    # -- Kivy lifecycle ------------------------------------------------------------
    def build(self) -> Widget:
        root = self.bands.build(self.state.now)
        self._deadline = Clock.schedule_once(self._reevaluate, 0)
        Window.bind(on_request_close=self._on_request_close)
        Clock.schedule_interval(self._poll, self.options.poll_s)
        if self.options.duration_s:
            Clock.schedule_once(lambda _dt: self.stop(), self.options.duration_s)
        Clock.schedule_once(lambda _dt: self.show_next(), 0.01)
        self.device.start()
        if self.options.headless and self.options.frame_flush:
            flush_each_frame()
        if self.options.heap_trim:
            trim = heap_trimmer()
            if trim is not None:
                # Once the old slide's buffers are freed (its textures go at the next frames).
                self._trim_heap = Clock.create_trigger(lambda _dt: trim(), HEAP_TRIM_DELAY_S)
        Window.bind(on_touch_down=lambda *_: self.pacer.nudge())
        if self.options.mode in ("kiosk", "hybrid"):
            from kiosk.app.touch_layer import TouchLayer

            try:
                self.state.refresh()
            except Exception:
                log.exception("could not read the content cache")
            self.touch = TouchLayer(self, root)
            if self.options.mode == "kiosk":
                self.pause_loop()
            self._top = self.touch.root
        else:
            self._top = root
        return self._turned(self._top)

    def _turned(self, root: Widget) -> Widget:
        """display.orientation: the whole picture (and touches) turned on the panel."""
        degrees = self.options.orientation
        if not degrees:
            return root
        from kiosk.app.oriented_root import OrientedRoot, logical_size

        set_turned_screen(logical_size((int(Window.width), int(Window.height)), degrees))
        log.info("picture turned %d° (%d×%d laid out on a %d×%d screen)", degrees,
                 *screen_size(), int(Window.width), int(Window.height))
        return OrientedRoot(root, degrees)

    def on_start(self) -> None:
        if self.touch is not None:
            self.touch.lock()

    def on_stop(self) -> None:
        self._stopping = True
        if self.services is not None:
            self.services.stop()
        self.proof.close()
        if not self._proof_writer.close(timeout=PROOF_WRITES_TIMEOUT_S):
            log.warning("proof of play: writes still pending after %.0f s at exit", PROOF_WRITES_TIMEOUT_S)
        self.device.stop()

    def _on_request_close(self, *_: object, **__: object) -> bool:
        # A full-screen player is closed by its service manager, not by a window button.
        return self.options.fullscreen

    def _after_first_frame(self, _dt: float) -> None:
        """What the first slide did not need starts once it is on screen: the device
        services, and the SQLAlchemy side of the cache (proof of play's outbox and play
        log). Their imports (about half a second on a small board) run on a worker thread,
        so the screen keeps its pace; the rest is done back on the UI thread."""
        def warm() -> None:
            try:
                # the device services (with the sync client, for USB import), the outbox and
                # the play log (videos decode in processes of their own: player/render/video_decoder.py)
                for name in ("kiosk.app.hooks", "content_cache.outbox", "content_cache.playlog"):
                    importlib.import_module(name)
                # the bulletins' hyphenation, ready before the first one is fitted on the UI thread
                load_dictionaries([lang for lang in (self.state.lang, self.state.second_lang) if lang])
                self.state.cache.full()
            except (OSError, sqlite3.Error, CacheError) as e:  # a read-only or full disk, a damaged file
                log.warning("content cache not opened for writing (%s): proof of play waits in memory", e)
            except Exception:  # opened again, and reported, on first use
                log.exception("could not open the content cache for writing")
            Clock.schedule_once(lambda _dt: self._start_rest(), 0)

        threading.Thread(target=warm, name="warm-up", daemon=True).start()

    def _start_rest(self) -> None:
        from kiosk.app.hooks import start_services

        if self._stopping:
            return
        try:
            self.proof.open()
        except (OSError, sqlite3.Error, CacheError):  # said once by the warm-up above
            pass
        except Exception:  # records wait in memory (bounded) and it is tried again
            log.exception("proof of play: could not open the outbox")
        self.services = start_services(self)  # display power, hotplug, USB import
        self.services_phase = "running" if self.services is not None else "not running"
        if self._trim_heap is not None:
            freeze_long_lived()  # what was just loaded, out of each slide change's collection


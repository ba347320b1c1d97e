"""The player's Kivy application: the slide loop with its bands (status bar, alert banner,
ticker: :mod:`kiosk.app.bands`) and, in kiosk and hybrid modes, the touch UI over it. What
comes next is :mod:`kiosk.app.next_slide`'s answer; the app prepares it off-screen and
swaps it in.

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
from typing import TYPE_CHECKING, Protocol

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.widget import Widget

from content_cache import CacheError, ItemData
from kiosk.app.bands import LoopBands
from kiosk.app.device_link import DeviceLink
from kiosk.app.frame_pacer import IDLE_FPS, SIGNAGE_IDLE_FPS, FramePacer, OnTime, flush_each_frame
from kiosk.app.heap_trim import freeze_long_lived, heap_trimmer
from kiosk.app.next_slide import NextSlide
from kiosk.app.options import PlayerOptions
from kiosk.app.player_cache import PlayerCache
from kiosk.app.proof_of_play import ProofOfPlay, SerialWriter
from kiosk.app.screenshots import ScreenshotSaver
from kiosk.app.state import PlaybackState
from kiosk.app.test_card import TestCardOverlay
from kiosk.device.folders import writable_folder
from kiosk.touch.alerts import alerts_from_answer
from player.engine import NowPlaying, item_label
from player.neutrality import Withheld
from player.render.slides import Slide, poster_for, screen_size, set_turned_screen
from player.render.text_fit import load_dictionaries
from player.schedule import alert_id_of, alert_slide_id, is_alert_slide

if TYPE_CHECKING:
    from kiosk.app.services import PlayerServices
    from kiosk.app.touch_layer import TouchLayer

log = logging.getLogger(__name__)

HEAP_TRIM_DELAY_S = 1.0
# At exit, what proof of play still has to write is waited for this long (the service
# manager's stop timeout is longer).
PROOF_WRITES_TIMEOUT_S = 10.0


class Cancellable(Protocol):
    """A pending call: :class:`OnTime`, or a Kivy ``ClockEvent``."""

    def cancel(self) -> None: ...


class PlayerApp(App):
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

    def pause_loop(self) -> None:
        """Someone is using the touch kiosk: the loop stops changing slides."""
        self._loop_paused = True
        if self._slide_timer is not None:
            self._slide_timer.cancel()
        self.bands.pause_ticker()
        self.pacer.nudge()

    def resume_loop(self) -> None:
        if self._loop_paused and self.options.mode == "hybrid":
            self._loop_paused = False
            if not self._dark:
                self.bands.resume_ticker()
            self.show_next()

    def set_screen_power(self, on: bool) -> None:
        """The display schedule switched the screen: while it is dark the loop idles
        (no slide changes, no proof of play, a frame a second); when it comes back on,
        the slide the schedule wants *now* is shown."""
        if self._dark == (not on):
            return
        self._dark = not on
        if self._dark:
            if self._slide_timer is not None:
                self._slide_timer.cancel()
            self._pending = None
            self.proof.ended()
            if self._current is not None:
                self._current.stop()  # a video stops decoding
            self.bands.pause_ticker()
            self.pacer.go_dark()
            self.device.notifier.status("screen off (display schedule)")
        else:
            self.pacer.wake()
            if not self._loop_paused:
                self.bands.resume_ticker()
                self.show_next()

    def check_new_content(self) -> None:
        """Look at the live pointer now (a USB import just finished) rather than at the next poll."""
        self._poll(0)

    def _note_neutrality(self, answer: NowPlaying | None) -> None:
        """Election reserve period: the touch kiosk gets the content without withheld
        pages (again when the period starts or ends), and the play log notes what the
        period keeps off the screen."""
        content = self.state.content
        if content is None:
            return
        guard = self.state.engine.compile(content).guard
        self.proof.elections(guard.rules.elections)
        kiosk_withheld: tuple[Withheld, ...] = ()
        reserve = answer is not None and answer.reserve is not None
        if self.touch is not None:
            key = (self.state.generation, reserve)
            if key != self._kiosk_key or reserve:
                shown, kiosk_withheld = self.state.kiosk_content()
                if key != self._kiosk_key:
                    self._kiosk_key = key
                    self.touch.set_content(shown)
        if answer is not None and answer.reserve is not None:
            self.proof.withheld(content.version_id, answer.reserve, answer.withheld + kiosk_withheld)

    def _end_slide_in(self, seconds: float) -> None:
        self._slide_timer = OnTime(seconds, self.pacer, self.show_next, "slide-end")

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

    def _poll(self, _dt: float) -> None:
        try:
            if self.state.poll():
                self._reevaluate(0)
        except Exception:  # the cache may be busy or briefly unreadable; try again later
            log.exception("could not read the live pointer")

    def _reevaluate(self, _dt: float) -> None:
        """At the engine's deadline or on a new version: alerts apply now; changes to
        the loop wait for the current slide to end."""
        if self._deadline is not None:
            self._deadline.cancel()
        try:
            answer = self.state.refresh()
        except Exception:
            log.exception("could not evaluate the schedule")
            answer = None
        self._note_neutrality(answer)
        if self.touch is not None:  # the touch UI shows the same alerts, on every screen
            self.touch.root.set_alerts(alerts_from_answer(answer))
        self.bands.show_alerts([a.bulletin for a in answer.banner_alerts] if answer else [], self.state.lang)
        self.bands.show_side(self.state.content, self.options.playlist, self.state.lang,
                             [a.bulletin for a in answer.alerts] if answer else [])
        full = answer.fullscreen_alert if answer else None
        showing = self._current.item_id if self._current else None
        wanted = alert_slide_id(full.id) if full else None
        if wanted != showing and (wanted or is_alert_slide(showing)):
            self.show_next()  # a full-screen alert pre-empts (or its end releases) the loop
        elif showing == "waiting" and answer is not None and answer.items:
            self.show_next()  # content at last (a first sync, a cache rebuilt): the card goes at once
        wait = self.state.seconds_to_deadline()
        ticker_until = self.bands.update_ticker(self.state.content, answer, self.state.now(), self.state.lang)
        if ticker_until is not None:
            wait = min(wait, max(0.05, (ticker_until - self.state.now()).total_seconds()))
        # On time at the idle frame rate too: an alert starts within a tenth of a second.
        self._deadline = OnTime(wait, self.pacer, lambda: self._reevaluate(0.0), "deadline")

    def show_next(self) -> None:
        """Prepare the next slide off-screen; it replaces the current one when ready."""
        if self._slide_timer is not None:
            self._slide_timer.cancel()
        if self._loop_paused or self._dark:
            return
        item, slide = self.next_slide.build()
        self._pending = slide
        self.pacer.hold("preparing")
        slide.prepare(lambda: self._present(slide, item),
                      lambda why: self._prepare_failed(slide, item, why))

    def _prepare_failed(self, slide: Slide, item: ItemData | None, why: str) -> None:
        self.pacer.release("preparing")
        if item is not None:
            self.next_slide.failed(item, why)
        if slide is not self._pending:
            return
        poster = poster_for(item, self.state.lang) if item is not None else None
        if poster is not None:
            self._pending = poster  # in the video's place, rather than a gap in the loop
            self._present(poster, item)
        else:
            self._advance()

    def _present(self, slide: Slide, item: ItemData | None) -> None:
        if slide is not self._pending:
            slide.stop()  # overtaken by a newer request (e.g. `kiosk next` twice)
            slide.let_go()
            return
        self._pending = None
        self.pacer.release("preparing")
        kind = slide.shows_kind or (item.kind if item else slide.item_id)
        if kind == "video":
            self.pacer.hold("video")
        else:
            self.pacer.release("video")
        self.current_kind = kind
        self.current_reason = self.state.reason(item)
        self._swap(slide)
        self.proof.started(slide.item_id, self.current_kind, self.state.content.version_id
                           if self.state.content else None, label=item_label(item) if item else "",
                           category=item.report_category if item else None,
                           tags=item.tags if item else ())
        duration = self.state.seconds_for(item, poster=slide.shows_kind == "video-poster") if item else 30.0
        slide.bind(on_finished=lambda *_: self._advance() if slide is self._current else None)
        self._end_slide_in(duration)
        if self.options.screenshots and not (self.touch is not None and self.touch.root.mode == "interactive"):
            delay = self.options.screenshot_delay_s
            Clock.schedule_once(lambda _dt, s=slide: self._screenshot(s), min(delay, duration * 0.8))

    def _swap(self, slide: Slide) -> None:
        """Put the new slide in place before removing the old one: no black frame between."""
        old = self._current
        self.bands.stage.add_widget(slide)
        slide.start()
        if old is not None:
            self.bands.stage.remove_widget(old)
            old.stop()
            old.let_go()  # its textures go now, not when the collector finds the slide
            if self._trim_heap is not None:
                self._trim_heap()
        self._current = slide
        self.shown.append(slide.item_id)
        content = self.state.content
        self.bands.status.set_site_name(content.site_name.get(self.state.lang) if content else "")
        version = content.version_id if content else "none"
        first = not self.device.ready_sent
        self.device.first_frame_shown(f"showing {slide.item_id} (content {version})")
        if first:  # after READY=1 (both run once the frame is drawn, in this order)
            Clock.schedule_once(self._after_first_frame, 0)

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

    def show_test_card(self, seconds: float) -> None:
        """A technician's test card (colour bars, grid, resolution) for ``seconds``, drawn
        above everything (kiosk.app.test_card); then the loop goes on."""
        if self._slide_timer is not None:
            self._slide_timer.cancel()
        self.current_kind, self.current_reason = "test-card", "asked for by a technician"
        self._pending = None
        self.proof.ended()
        self.pacer.nudge()
        self.test_card.show(self._top, f"{Window.width}×{Window.height}", self.state.content.version_id
                            if self.state.content else "no content", seconds, self.show_next)

    def screenshot_touch(self, screen: str) -> None:
        """``--screenshots``: the touch screen just drawn (kiosk and hybrid modes)."""
        if self.options.screenshots:
            Clock.schedule_once(lambda _dt: self.screenshots.save(f"touch-{screen}"), 0.3)

    def _screenshot(self, slide: Slide) -> None:
        if slide is not self._current or self.options.screenshots is None:
            return
        if self.touch is not None and self.touch.root.mode == "interactive":
            return  # the visitor's screens are saved as they are drawn
        self.screenshots.save(slide.item_id)

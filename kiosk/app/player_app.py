"""The Kivy side of the player (imported only after kiosk.app.kivy_env.prepare_kivy)."""
from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from content_cache import ItemData
from kiosk.app.cache_open import PlayerCache
from kiosk.app.device_link import DeviceLink
from kiosk.app.frame_pacer import IDLE_FPS, SIGNAGE_IDLE_FPS, FramePacer, OnTime, flush_each_frame
from kiosk.app.heap_trim import heap_trimmer
from kiosk.app.proof_of_play import ProofOfPlay
from kiosk.app.run import PlaybackState, PlayerOptions
from player.engine import NowPlaying, item_label
from player.i18n import gettext_for
from player.quarantine import Quarantine
from player.render.geometry import screen_zones
from player.render.side_zone import SideZone, side_content
from player.render.slides import (
    AlertBanner,
    MessageSlide,
    Slide,
    StatusBar,
    TestCardSlide,
    build_slide,
    poster_for,
    screen_size,
    set_turned_screen,
)
from player.render.ticker_strip import TickerStrip
from player.schedule import alert_slide_id, is_alert_slide
from player.ticker import ticker_text

log = logging.getLogger(__name__)

STATUS_BAR_HEIGHT = 0.07
TICKER_HEIGHT = 0.06
HEAP_TRIM_DELAY_S = 1.0


class PlayerApp(App):
    title = "Town kiosk"

    def __init__(self, options: PlayerOptions, cache: PlayerCache, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.options = options
        self.state = PlaybackState(cache, options, now)
        self.exit_code = 0
        self._current: Slide | None = None
        self._advance = Clock.create_trigger(lambda _dt: self.show_next(), 0)
        self._slide_timer = None
        self._shots = 0
        self.shown: list[str] = []
        self.current_kind: str | None = None
        self.current_reason: str = ""
        self.device = DeviceLink(self)
        self._pending: Slide | None = None
        self.quarantine = Quarantine()
        self.proof = ProofOfPlay(cache.full, now, data_dir=options.data_dir,
                                 retention_days=options.config.play_log_days if options.config else None,
                                 record=options.preview_at is None)
        self._kiosk_key: tuple[int, bool] | None = None
        self.derived_dir = options.data_dir / "derived"
        self._loop_paused = False
        self._dark = False  # the display schedule switched the screen off
        self.services = None
        # "starting" until the first frame is drawn and the services are started after it
        self.services_phase = "starting"
        self._stopping = False
        self.touch = None
        self._seen_generation = -2
        self.ticker: TickerStrip | None = None

    def bottom_band_height(self) -> float:
        """Share of the screen's height the loop's own bands take at the bottom."""
        return STATUS_BAR_HEIGHT + (TICKER_HEIGHT if self.options.ticker == "bottom" else 0.0)

    @property
    def current_item_id(self) -> str | None:
        return self._current.item_id if self._current else None

    # -- Kivy lifecycle ------------------------------------------------------------
    def build(self) -> Widget:
        root = FloatLayout()
        # Slides fill the screen above the status bar, so the bar never hides content.
        self.stage = FloatLayout(size_hint=(1, 1 - STATUS_BAR_HEIGHT), pos_hint={"x": 0, "top": 1})
        root.add_widget(self.stage)
        self.status = StatusBar("", self.state.now, height_hint=STATUS_BAR_HEIGHT)
        root.add_widget(self.status)
        self.banner = AlertBanner()
        root.add_widget(self.banner)
        # The layout's side zone (content: site or playlist layout), shown when it has panels.
        self.side = SideZone(self.state.now, opacity=0)
        root.add_widget(self.side)
        if self.options.ticker:
            self.ticker = TickerStrip(on_moving=self._ticker_moving, size_hint=(1, TICKER_HEIGHT),
                                      pos_hint={"x": 0, "y": STATUS_BAR_HEIGHT})
            root.add_widget(self.ticker)
        self._deadline = Clock.schedule_once(self._reevaluate, 0)
        Window.bind(on_request_close=self._on_request_close)
        if self.options.screenshots:
            self.options.screenshots.mkdir(parents=True, exist_ok=True)
        Clock.schedule_interval(self._poll, self.options.poll_s)
        if self.options.duration_s:
            Clock.schedule_once(lambda _dt: self.stop(), self.options.duration_s)
        Clock.schedule_once(lambda _dt: self.show_next(), 0.01)
        self.device.start()
        if self.options.headless and os.environ.get("KIOSK_FRAME_FLUSH", "1") != "0":
            flush_each_frame()
        self.pacer = FramePacer(idle_fps=self.options.idle_fps or (
            SIGNAGE_IDLE_FPS if self.options.mode == "signage" else IDLE_FPS))
        self._trim_heap = None
        if os.environ.get("KIOSK_HEAP_TRIM", "1") != "0":
            trim = heap_trimmer()
            if trim is not None:
                # Once the old slide's buffers are freed (its textures go at the next frames).
                self._trim_heap = Clock.create_trigger(lambda _dt: trim(), HEAP_TRIM_DELAY_S)
        Window.bind(on_touch_down=lambda *_: self.pacer.nudge())
        self.touch = None
        if self.options.mode in ("kiosk", "hybrid"):
            from kiosk.app.touch_layer import TouchLayer

            try:
                self.state.refresh()
            except Exception:
                log.exception("could not read the content cache")
            self.touch = TouchLayer(self, root)
            if self.options.mode == "kiosk":
                self.pause_loop()
            return self._turned(self.touch.root)
        return self._turned(root)

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
        if self.ticker is not None:
            self.ticker.pause()
        self.pacer.nudge()

    def resume_loop(self) -> None:
        if self._loop_paused and self.options.mode == "hybrid":
            self._loop_paused = False
            if self.ticker is not None and not self._dark:
                self.ticker.resume()
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
            if self.ticker is not None:
                self.ticker.pause()
            self.pacer.go_dark()
            self.device.notifier.status("screen off (display schedule)")
        else:
            self.pacer.wake()
            if not self._loop_paused:
                if self.ticker is not None:
                    self.ticker.resume()
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
        kiosk_withheld: tuple = ()
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
        self._deadline.cancel()
        try:
            answer = self.state.refresh()
        except Exception:
            log.exception("could not evaluate the schedule")
            answer = None
        self._note_neutrality(answer)
        banner = tuple(a.bulletin for a in answer.banner_alerts) if answer else ()
        if tuple(b.id for b in banner) != self.banner.alert_ids:
            self.banner.show(banner, self.state.lang)
            self.pacer.nudge()
            self._layout()
            log.info("alert banner: %s", ", ".join(b.id for b in banner) or "none")
        side = side_content(self.state.content, self.options.playlist, self.state.lang,
                            tuple(a.bulletin for a in answer.alerts) if answer else ())
        if side is not None:
            self.side.set_content(side)
        if (side is not None) != (self.side.opacity > 0):
            self.side.opacity = 1 if side is not None else 0
            self._layout()
        full = answer.fullscreen_alert if answer else None
        showing = self._current.item_id if self._current else None
        wanted = alert_slide_id(full.id) if full else None
        if wanted != showing and (wanted or is_alert_slide(showing)):
            self.show_next()  # a full-screen alert pre-empts (or its end releases) the loop
        wait = self.state.seconds_to_deadline()
        ticker_until = self._update_ticker(answer)
        if ticker_until is not None:
            wait = min(wait, max(0.05, (ticker_until - self.state.now()).total_seconds()))
        # On time at the idle frame rate too: an alert starts within a tenth of a second.
        self._deadline = OnTime(wait, self.pacer, lambda: self._reevaluate(0.0), "deadline")

    def _layout(self) -> None:
        """Banner at the top, status bar at the bottom, the ticker next to one of them:
        the loop takes what is left, so nothing hides a slide or the banner."""
        top = 1 - (self.banner.size_hint_y if self.banner.alert_ids else 0)
        bottom = STATUS_BAR_HEIGHT
        if self.ticker is not None and self.ticker.titles:
            if self.options.ticker == "top":
                self.ticker.pos_hint = {"x": 0, "top": top}
                top -= TICKER_HEIGHT
            else:
                self.ticker.pos_hint = {"x": 0, "y": bottom}
                bottom += TICKER_HEIGHT
        zones = screen_zones(screen_size(), 1 - top, bottom, self.side.opacity > 0)
        x, y, w, h = zones.stage
        self.stage.size_hint = (w, h)
        self.stage.pos_hint = {"x": x, "y": y}
        if zones.side is not None:
            x, y, w, h = zones.side
            self.side.size_hint = (w, h)
            self.side.pos_hint = {"x": x, "y": y}

    def _update_ticker(self, answer: NowPlaying | None) -> datetime | None:
        """Current non-alert bulletin titles into the ticker (none during a full-screen
        alert); returns when they may change next."""
        if self.ticker is None:
            return None
        content = self.state.content
        severities: tuple[str, ...] = ()
        if content is None or answer is None or answer.fullscreen_alert is not None:
            titles, until = (), None
        else:
            text = ticker_text(content.bulletins, self.state.now(), self.state.lang, answer.clock_trusted)
            titles, until = text.titles, text.valid_until
            severities = text.severities
        if titles != self.ticker.titles:
            self.ticker.set_titles(titles, severities)
            self._layout()
            log.info("ticker: %d bulletin title(s)", len(titles))
        return until

    def _ticker_moving(self, moving: bool) -> None:
        # Scrolling text needs the full frame rate; a still screen may idle.
        if moving:
            self.pacer.hold("ticker")
        else:
            self.pacer.release("ticker")

    # -- rotation ------------------------------------------------------------------
    def show_next(self) -> None:
        """Prepare the next slide off-screen; it replaces the current one when ready."""
        if self._slide_timer is not None:
            self._slide_timer.cancel()
        if self._loop_paused or self._dark:
            return
        item, slide = self._build_next()
        self._pending = slide
        self.pacer.hold("preparing")
        slide.prepare(lambda: self._present(slide, item),
                      lambda why: self._prepare_failed(slide, item, why))

    def _build_next(self) -> tuple[ItemData | None, Slide]:
        now = time.monotonic()
        for _attempt in range(64):  # a playlist of broken items must not spin forever
            try:
                item = self.state.next_item()
            except Exception:
                log.exception("could not read the content cache; showing the fallback")
                item = None
            if self.state.generation != self._seen_generation:
                self._seen_generation = self.state.generation
                self.quarantine.clear()  # a new version may carry mended files
                self._prune_derived()
            if item is None:
                break
            if self.quarantine.blocks(item.id, now):
                poster = poster_for(item, self.state.lang)
                if poster is not None:
                    return item, poster  # a broken video shows as its poster meanwhile
                continue
            try:
                return item, build_slide(item, self.state.lang, self.state.second_lang,
                                         screen=screen_size(), derived_dir=self.derived_dir)
            except Exception as e:
                self.quarantine.add(item.id, self._version(), str(e), now)
        return None, self._fallback_slide()

    def _prune_derived(self) -> None:
        """Drop downscaled copies of images the live content no longer has."""
        content = self.state.content
        if content is None or not self.derived_dir.is_dir():
            return
        live = {m.sha256 for p in content.playlists.values() for i in p.items
                for m in (i.media, i.look.portrait, i.look.landscape) if m}
        live |= {b.picture.sha256 for b in content.bulletins if b.picture}
        for f in self.derived_dir.iterdir():
            if f.name.split("-", 1)[0] not in live:
                f.unlink(missing_ok=True)

    def _version(self) -> str:
        return self.state.content.version_id if self.state.content else "none"

    def _prepare_failed(self, slide: Slide, item: ItemData | None, why: str) -> None:
        self.pacer.release("preparing")
        if item is not None:
            self.quarantine.add(item.id, self._version(), why, time.monotonic())
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
        if self.options.screenshots:
            delay = self.options.screenshot_delay_s
            Clock.schedule_once(lambda _dt, s=slide: self._screenshot(s), min(delay, duration * 0.8))

    def _swap(self, slide: Slide) -> None:
        """Put the new slide in place before removing the old one: no black frame between."""
        old = self._current
        self.stage.add_widget(slide)
        slide.start()
        if old is not None:
            self.stage.remove_widget(old)
            old.stop()
            if self._trim_heap is not None:
                self._trim_heap()
        self._current = slide
        self.shown.append(slide.item_id)
        content = self.state.content
        self.status.set_site_name(content.site_name.get(self.state.lang) if content else "")
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
                self.state.cache.full()
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
        except Exception:  # records wait in memory (bounded) and it is tried again
            log.exception("proof of play: could not open the outbox")
        self.services = start_services(self)  # display power, hotplug, USB import
        self.services_phase = "running" if self.services is not None else "not running"

    def show_test_card(self, seconds: float) -> None:
        """A technician's test card (colour bars, grid, resolution) for ``seconds``."""
        if self._slide_timer is not None:
            self._slide_timer.cancel()
        self.current_kind, self.current_reason = "test-card", "asked for by a technician"
        self._pending = None
        self.proof.ended()
        self.pacer.nudge()
        self._swap(TestCardSlide(f"{Window.width}×{Window.height}", self.state.content.version_id
                                 if self.state.content else "no content"))
        self._slide_timer = Clock.schedule_once(lambda _dt: self.show_next(), seconds)

    def _fallback_slide(self) -> Slide:
        _ = gettext_for(self.state.lang)
        content = self.state.content
        if content is None:
            return MessageSlide(
                _("Waiting for content"),
                _("This screen has not received any content yet. It will appear as soon as the first synchronisation completes."),
                "", item_id="waiting", lang=self.state.lang,
            )
        return MessageSlide(
            content.site_name.get(self.state.lang), _("Nothing to show right now"),
            self.state.now().strftime("%d/%m/%Y"), item_id="fallback", lang=self.state.lang,
        )

    def _screenshot(self, slide: Slide) -> None:
        if slide is not self._current or self.options.screenshots is None:
            return
        self._shots += 1
        path = self.options.screenshots / f"{self._shots:03d}-{slide.item_id}.png"
        written = Window.screenshot(name=str(path))  # Kivy appends a counter to the name
        if written:
            os.replace(written, path)
            log.info("screenshot %s", path)

"""The player's slide loop (a mixin of :class:`kiosk.app.player_app.PlayerApp`): the next
slide prepared off-screen and swapped in without a black frame (a poster in the place of a
video that cannot play), its end timed, proof of play told; the loop paused for a touch
session or while the display schedule keeps the screen dark; a technician's test card;
the ``--screenshots`` of slides and touch screens."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.core.window import Window

from content_cache import ItemData
from kiosk.app.frame_pacer import OnTime
from kiosk.app.player_parts import PlayerParts
from player.engine import item_label
from player.render.slides import Slide, poster_for


class SlideLoop(PlayerParts):
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

    def _end_slide_in(self, seconds: float) -> None:
        self._slide_timer = OnTime(seconds, self.pacer, self.show_next, "slide-end")

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

"""The loop's slides rendered offscreen by the player's own renderers, one after another.

Each planned slide is built as the player builds it (:func:`player.render.slides.build_slide`,
a video's first frame from its decoder, the poster card when a video cannot play, the
fallback card), put on the stage of the player's own bands (:class:`kiosk.app.bands.LoopBands`:
status bar, alert banner, side zone, the ticker strip when the screen has one) and read back from the window once its texts have
fitted: no slide waits for its duration. One Kivy window per process, so every tile of a
sheet is drawn in this one.

Kivy side: import only after :func:`kiosk.device.kivy_env.prepare_kivy`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
from kivy.uix.widget import Widget
from PIL import Image

from content_cache import LiveContent
from kiosk.app.bands import LoopBands
from kiosk.app.frame_pacer import FramePacer
from kiosk.app.preview.plan import DrawnSlide, LoopPlan, PlannedSlide
from kiosk.config import TickerPlace
from player.i18n import gettext_for
from player.render.slides import MessageSlide, Slide, build_slide, poster_for, screen_size

log = logging.getLogger(__name__)

# Frames between a slide's arrival and its capture: its layout, then its texts' fitting
# (a fitted label refits once per frame after layout), as the player's screenshot waits.
SETTLE_FRAMES = 3
# A video's first frame comes from a decoder process: wait for it this long at most.
VIDEO_FIRST_FRAME_S = 8.0


class LoopRenderer(App):
    """Renders ``plan``'s slides of ``content``; :attr:`tiles` once :meth:`run` returns."""

    title = "Town kiosk preview"

    def __init__(self, plan: LoopPlan, content: LiveContent, derived_dir: Path,
                 ticker: TickerPlace | None = None) -> None:
        super().__init__()
        self.plan, self.content, self.derived_dir, self.ticker = plan, content, derived_dir, ticker
        self.tiles: list[DrawnSlide] = []
        self.error: BaseException | None = None
        self._draw: Callable[..., object] | None = None

    # -- Kivy lifecycle --------------------------------------------------------------
    def build(self) -> Widget:
        plan = self.plan
        # No frame cap: frames are cheap here (drawn only for a capture).
        self.bands = LoopBands(self.ticker, FramePacer(idle_fps=0.0, busy_fps=0.0))
        root = self.bands.build(lambda: plan.at)
        self.bands.status.set_site_name(self.content.site_name.get(plan.lang))
        self.bands.show_alerts([a.bulletin for a in plan.banner], plan.lang)
        self.bands.show_side(self.content, plan.playlist, plan.lang, [a.bulletin for a in plan.alerts])
        self.bands.update_ticker(self.content, plan.answer, plan.at, plan.lang)
        self.bands.pause_ticker()  # drawn where its text starts, on every tile
        return root

    def on_start(self) -> None:
        # Software GL takes a good part of a second to draw a full-HD frame: layout needs
        # no drawing, so frames are drawn only for a capture (as the touch harness does).
        self._draw = Window.on_draw
        Window.on_draw = lambda *_a: None
        Clock.schedule_once(lambda _dt: self._next(0), 0)

    # -- one slide after another -----------------------------------------------------
    def _next(self, i: int) -> None:
        if i >= len(self.plan.slides):
            self.stop()
            return
        planned = self.plan.slides[i]
        try:
            slide = self._build(planned)
        except Exception as e:  # the player sets such an item aside and skips it
            log.info("preview: %s not shown: %s", planned.id, e)
            self._capture(planned, None, _named(str(e), planned), lambda: self._next(i + 1))
            return

        def ready() -> None:
            self._show(planned, slide, "", lambda: self._next(i + 1))

        def failed(why: str) -> None:
            why = _named(why, planned)
            poster = poster_for(planned.item, self.plan.lang) if planned.item is not None else None
            if poster is not None:  # as the player does: the video's poster card in its place
                self._show(planned, poster, why, lambda: self._next(i + 1))
            else:
                self._capture(planned, None, why, lambda: self._next(i + 1))

        slide.prepare(ready, failed)

    def _build(self, planned: PlannedSlide) -> Slide:
        if planned.item is None:
            _ = gettext_for(self.plan.lang)
            return MessageSlide(self.content.site_name.get(self.plan.lang), _("Nothing to show right now"),
                                self.plan.at.strftime("%d/%m/%Y"), item_id="fallback", lang=self.plan.lang)
        others = [lang for lang in self.content.languages if lang != self.plan.lang]
        return build_slide(planned.item, self.plan.lang, others[0] if others else None, screen=screen_size(),
                           derived_dir=self.derived_dir)

    def _show(self, planned: PlannedSlide, slide: Slide, problem: str, then: Callable[[], None]) -> None:
        self.bands.stage.add_widget(slide)
        self._after_frames(SETTLE_FRAMES, lambda: self._capture(planned, slide, problem, then))

    def _capture(self, planned: PlannedSlide, slide: Slide | None, problem: str, then: Callable[[], None]) -> None:
        try:
            image = self._grab()
            shown_as = (slide.shows_kind or "") if slide is not None else ""
            self.tiles.append(DrawnSlide(planned, image, problem, shown_as))
        except Exception as e:  # a broken GL read ends the preview with its reason
            self.error = e
            self.stop()
            return
        finally:
            if slide is not None:
                self.bands.stage.remove_widget(slide)
                slide.stop()
        Clock.schedule_once(lambda _dt: then(), 0)

    def _grab(self) -> Image.Image:
        assert self._draw is not None
        self._draw()  # into the back buffer, then read it
        w, h = int(Window.width), int(Window.height)
        pixels = glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE)
        # GL's rows run bottom to top: the raw decoder's negative orientation flips them as it reads.
        return Image.frombytes("RGBA", (w, h), pixels, "raw", "RGBA", 0, -1).convert("RGB")

    def _after_frames(self, frames: int, then: Callable[[], None]) -> None:
        if frames <= 0:
            then()
            return
        Clock.schedule_once(lambda _dt: self._after_frames(frames - 1, then), 0)


def _named(problem: str, planned: PlannedSlide) -> str:
    """The renderers name a file by its content address: the team knows it by its name."""
    item = planned.item
    for media in (item.media, item.look.portrait, item.look.landscape) if item is not None else ():
        if media is not None:
            problem = problem.replace(media.sha256, media.name).replace(media.sha256[:12], media.name)
    return problem


def render_loop(plan: LoopPlan, content: LiveContent, derived_dir: Path,
                ticker: TickerPlace | None = None) -> list[DrawnSlide]:
    """Every slide of ``plan`` drawn at the window's size (set by prepare_kivy), with a
    ticker strip at ``ticker`` when a screen has one."""
    app = LoopRenderer(plan, content, derived_dir, ticker)
    app.run()
    if app.error is not None:
        raise app.error
    return app.tiles

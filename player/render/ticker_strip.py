"""The ticker strip: bulletin titles scrolling right to left in a band, on Kivy's clock.

Kivy side: import only after the application has configured Kivy (kiosk.device.kivy_env).
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from kivy.clock import Clock
from kivy.core.text.markup import MarkupLabel
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget
from kivy.utils import escape_markup, get_hex_from_color

from player.severity import severity_style

log = logging.getLogger(__name__)

TICKER_BACKGROUND = (0.02, 0.09, 0.2, 1)  # #051733, white text 17:1
TICKER_TEXT = (1, 1, 1, 1)
# Each title follows a bullet in its severity's colour; a warning's title is in amber too
# (player.severity: the dark theme's ink, over 10:1 on this background).
SEPARATOR = "   •   "
# Scroll speed in strip heights per second: readable at any screen size.
SPEED_HEIGHTS_PER_S = 2.2
FRAME_S = 1 / 30
# One texture holds the whole line; GL limits its width (8192 px on many GPUs), so a
# very long list of titles is cut at a whole title.
MAX_CHARS = 320


class TickerStrip(Widget):
    """Scrolls ``titles`` in a loop while running; hidden (opacity 0) when it has none.

    ``on_moving(bool)`` is told when the strip starts or stops needing frames, so the
    player can keep its frame rate up only while text moves.
    """

    def __init__(self, on_moving: Callable[[bool], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic, **kw: object) -> None:
        kw.setdefault("opacity", 0)
        super().__init__(**kw)
        self._on_moving = on_moving or (lambda _moving: None)
        self._monotonic = monotonic
        self.titles: tuple[str, ...] = ()
        self.severities: tuple[str, ...] = ()
        self._paused = False
        self._offset = 0.0  # pixels scrolled, kept across a pause
        self._since: float | None = None
        self._text_w = 0.0
        self._event = None
        with self.canvas.before:
            Color(*TICKER_BACKGROUND)
            self._bg = Rectangle()
        with self.canvas:
            self._text_colour = Color(*TICKER_TEXT)
        self._copies: list[Rectangle] = []
        self._texture = None
        self.bind(pos=self._relayout, size=self._relayout)

    @property
    def moving(self) -> bool:
        return self._event is not None

    def set_titles(self, titles: tuple[str, ...], severities: tuple[str, ...] = ()) -> None:
        """Show these titles (from the start), or hide the strip when there are none;
        ``severities``: each title's bulletin's severity, for its colour."""
        if titles == self.titles and severities == self.severities:
            return
        self.titles, self.severities = titles, severities
        self._offset, self._since = 0.0, None
        self._render_text()
        self.opacity = 1 if titles else 0
        self._update_running()

    def pause(self) -> None:
        """Stop scrolling where it is (the loop is paused: someone uses the touch kiosk)."""
        if not self._paused:
            self._paused = True
            self._update_running()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._update_running()

    # -- drawing ------------------------------------------------------------------------
    def _render_text(self) -> None:
        self._texture = None
        self._text_w = 0.0
        if self.titles and self.height > 1:
            shown: list[str] = []
            for i, title in enumerate(self.titles):
                if shown and sum(len(t) + len(SEPARATOR) for t in shown) + len(title) > MAX_CHARS:
                    break
                severity = self.severities[i] if i < len(self.severities) else "info"
                shown.append(_marked(title[:MAX_CHARS], severity))
            label = MarkupLabel(text="   ".join(shown) + "   ", font_size=max(10, self.height * 0.5),
                                bold=True)
            label.refresh()
            self._texture = label.texture
            self._text_w = float(self._texture.width) if self._texture is not None else 0.0
        self._draw()

    def _relayout(self, *_: object) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
        self._render_text()

    def _draw(self) -> None:
        for rect in self._copies:
            self.canvas.remove(rect)
        self._copies = []
        if self._texture is None or self._text_w <= 0:
            return
        # Enough copies side by side to fill the strip whatever the offset.
        n = int(math.ceil(self.width / self._text_w)) + 1
        y = self.y + (self.height - self._texture.height) / 2
        for k in range(n):
            rect = Rectangle(texture=self._texture, size=self._texture.size,
                             pos=(self.x + k * self._text_w, y))
            self.canvas.add(rect)
            self._copies.append(rect)
        self._place()

    def _place(self) -> None:
        if not self._copies:
            return
        shift = self._offset % self._text_w
        for k, rect in enumerate(self._copies):
            rect.pos = (self.x + k * self._text_w - shift, rect.pos[1])

    # -- clock --------------------------------------------------------------------------
    def _update_running(self) -> None:
        run = bool(self.titles) and not self._paused
        if run and self._event is None:
            self._since = None
            self._event = Clock.schedule_interval(self._step, FRAME_S)
            self._on_moving(True)
        elif not run and self._event is not None:
            self._event.cancel()
            self._event = None
            self._on_moving(False)

    def _step(self, _dt: float) -> None:
        # Position from the monotonic clock, not from frame counts: a slow frame does
        # not slow the text down.
        now = self._monotonic()
        if self._since is not None:
            self._offset += (now - self._since) * self.height * SPEED_HEIGHTS_PER_S
        self._since = now
        self._place()


def _marked(title: str, severity: str) -> str:
    """``title`` in Kivy markup: a bullet in its severity's colour, then the title (in
    amber for a warning, else white)."""
    ink = severity_style(severity).ink
    colour = get_hex_from_color(ink)
    text = escape_markup(title)
    if severity == "warning":
        text = f"[color={colour}]{text}[/color]"
    return f"[color={colour}]•[/color]  {text}"

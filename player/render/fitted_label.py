"""A Kivy label whose text is fitted to its box by :mod:`player.render.text_fit`.

Lines are measured with the same font provider the label draws with, so the lines it is
given never overflow and the label never clips a glyph: text that does not fit at the
readable floor ends with an ellipsis instead of losing descenders or whole lines.

Import only after the application has configured Kivy (kiosk.device.kivy_env).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.uix.label import Label

from player.render.text_fit import FittedText, fit_text

# Fitted results by text, box and style: a slide shown again is not measured again.
FITTED_MAX = 64
_fitted: OrderedDict[tuple[object, ...], FittedText] = OrderedDict()


@lru_cache(maxsize=128)  # sizes come from text_fit's ladder: a few dozen per style
def _core(size: int, bold: bool, italic: bool, font_name: str) -> CoreLabel:
    core = CoreLabel(font_size=size, bold=bold, italic=italic, font_name=font_name)
    core.resolve_font_name()
    return core


def measurer(bold: bool, italic: bool, font_name: str) -> tuple[Callable[[str, float], float], Callable[[float], float]]:
    """(line width, line height) at a font size, as Kivy's text provider draws them."""
    def width(text: str, size: float) -> float:
        return float(_core(int(size), bold, italic, font_name).get_extents(text)[0])

    def height(size: float) -> float:
        return float(_core(int(size), bold, italic, font_name).get_extents("")[1])

    return width, height


def fitted(text: str, box: tuple[float, float], *, max_size: float, min_size: float, lang: str,
           bold: bool = False, italic: bool = False, font_name: str = "Roboto",
           max_lines: int | None = None) -> FittedText:
    """``text`` fitted into ``box`` (remembered for the same text, box and style)."""
    key = (text, int(box[0]), int(box[1]), int(max_size), int(min_size), lang, bold, italic, font_name, max_lines)
    hit = _fitted.get(key)
    if hit is not None:
        _fitted.move_to_end(key)
        return hit
    width, height = measurer(bold, italic, font_name)
    # Integer sizes: the font provider renders whole sizes, and results are then reusable.
    result = fit_text(text, int(box[0]), int(box[1]), max_size=int(max_size), min_size=int(min_size),
                      measure=lambda s, size: width(s, int(size)), line_height=lambda size: height(int(size)),
                      lang=lang, max_lines=max_lines)
    _fitted[key] = result
    while len(_fitted) > FITTED_MAX:
        _fitted.popitem(last=False)
    return result


def show_fitted(label: Label, fit: FittedText) -> None:
    """Put ``fit``'s lines in ``label``, placed in its box by its ``valign``.

    Kivy drops the last line of a text whose box is less than a line taller than the lines
    themselves (it lays out one line more than it draws): the lines are laid out unbounded
    and placed in the box by padding, so the texture is the box and no line is clipped.
    """
    label.font_size = int(fit.font_size)
    free = max(0.0, label.height - fit.height)
    top = {"top": 0.0, "bottom": free}.get(label.valign, free / 2)
    label.padding = [0, top, 0, free - top]
    label.text_size = (label.width, None)
    label.text = fit.text


class FittedLabel(Label):
    """Draws ``source`` fitted to the label's own size: wrapped, hyphenated, as large as
    fits between ``max_size`` and ``min_size`` (pixels, from the callables so they follow
    the screen), then shortened with an ellipsis. ``fit`` holds the last result."""

    def __init__(self, source: str, *, lang: str, max_size: Callable[[], float],
                 min_size: Callable[[], float], max_lines: int | None = None, **kw: object) -> None:
        kw.setdefault("halign", "left")
        kw.setdefault("valign", "top")
        kw.setdefault("color", (1, 1, 1, 1))
        super().__init__(**kw)
        self.source = source
        self.lang = lang
        self._max_size, self._min_size = max_size, min_size
        self.fit_lines = max_lines
        self.cap: float | None = None  # a ceiling under max_size (set_cap)
        self.fit: FittedText | None = None
        # Fitted once per frame, after layout (a layout pass may resize a label several
        # times); fit_now() when the caller needs the result at once.
        self._fit_later = Clock.create_trigger(self._refit, -1)
        self.bind(size=self._fit_later)
        self._refit()

    def fit_now(self) -> FittedText | None:
        """Fit to the current size now (the layout of a slide stacks texts by their height)."""
        self._refit()
        return self.fit

    def set_source(self, source: str) -> None:
        if source != self.source:
            self.source = source
            self._refit()

    def set_cap(self, cap: float | None) -> None:
        """Never larger than ``cap`` pixels (a smaller text ranking under a larger one)."""
        if cap != self.cap:
            self.cap = cap
            self._refit()

    def _refit(self, *_: object) -> None:
        if self.width < 2 or self.height < 2:
            self.text = ""
            return
        largest = self._max_size() if self.cap is None else min(self._max_size(), self.cap)
        fit = fitted(self.source, (self.width, self.height), max_size=largest,
                     min_size=self._min_size(), lang=self.lang, bold=self.bold, italic=self.italic,
                     font_name=self.font_name, max_lines=self.fit_lines)
        self.fit = fit
        show_fitted(self, fit)

    @property
    def ink_width(self) -> float:
        """Width of the widest fitted line."""
        if not self.fit or not self.fit.lines:
            return 0.0
        width, _height = measurer(self.bold, self.italic, self.font_name)
        return max(width(line, self.fit.font_size) for line in self.fit.lines)

    @property
    def ink_height(self) -> float:
        """Height the fitted lines take (at most the label's)."""
        return self.fit.height if self.fit else 0.0

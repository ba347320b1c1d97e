"""Building blocks shared by the screens (their look is in widgets.kv).

Every touchable widget is a :class:`Target`: its ``tid`` names it for the test harness,
and its size never drops under the theme's target size (9 mm or more on the real screen).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from player.render.fitted_label import fitted, measurer, show_fitted
from player.render.text_fit import FittedText, wrap

from .pictograms import pictogram_file
from .qr import qr_matrix


class Surface(Widget):
    """A widget painting its own opaque background (``bg_color``) and optional border.

    Text contrast is checked against the nearest ``bg_color`` behind a label, so every
    coloured area the UI draws is a Surface.
    """

    bg_color = ColorProperty((0, 0, 0, 0))
    line_color = ColorProperty((0, 0, 0, 0))


class Target(ButtonBehavior):
    """Mixin of everything touchable."""

    tid = StringProperty("")
    selected = BooleanProperty(False)


class TouchButton(Target, Surface, Label):
    """A one-label button; its text wraps inside it."""

    dark_band = BooleanProperty(False)  # on a dark band: a light outline shows its edge


class RowButton(Target, Surface, BoxLayout):
    """A list row (a view of the list's RecycleView): a title and a detail line, wrapped
    beforehand (``*_lines``; kiosk.touch.screens.RowLayout), as tall as they need."""

    title = StringProperty("")
    detail = StringProperty("")
    title_lines = StringProperty("")
    detail_lines = StringProperty("")
    tone = StringProperty("text")
    severity = StringProperty("")  # tone "alert": player.severity's name
    pictogram = StringProperty("")
    doc_id = StringProperty("")
    list_screen = ObjectProperty(None, allownone=True)

    def on_release(self) -> None:
        if self.list_screen is not None and self.doc_id:
            self.list_screen.controller.open_detail(self.doc_id)


class RowText(Label):
    """A row's title or detail: ``text`` its wrapped lines, ``source_text`` what it says."""

    source_text = StringProperty("")


class Tile(Target, Surface, BoxLayout):
    """A home-grid category: its pictogram above its name."""

    label = StringProperty("")
    alert = BooleanProperty(False)
    severity = StringProperty("")  # the alerts tile: its most severe alert's
    pictogram = StringProperty("")
    lang = StringProperty("fr")


_textures: dict[Path, Texture] = {}


def _pictogram_texture(path: Path) -> Texture | None:
    texture = _textures.get(path)
    if texture is None:
        try:
            # Files exist at every size, each drawn at most a little smaller: no mipmaps needed.
            texture = CoreImage(str(path)).texture
        except Exception:  # a missing file: the widget draws nothing rather than a white box
            return None
        _textures[path] = texture
    return texture


class Pictogram(Widget):
    """A pictogram (kiosk.touch.pictograms) drawn square, centred, in ``color``: from the
    smallest pre-rendered file at least as large as it is shown, so it stays crisp."""

    name = StringProperty("")
    color = ColorProperty((1, 1, 1, 1))

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        with self.canvas:
            self._colour = Color(1, 1, 1, 1)
            self._rect = Rectangle(size=(0, 0))
        self.bind(name=self._redraw, color=self._redraw, pos=self._redraw, size=self._redraw)
        self._redraw()

    @property
    def drawn_size(self) -> float:
        return float(self._rect.size[0])

    @property
    def source_file(self) -> Path | None:
        return pictogram_file(self.name, self.drawn_size) if self.name else None

    def _redraw(self, *_: object) -> None:
        side = int(min(self.width, self.height))
        path = pictogram_file(self.name, side) if self.name and side > 0 else None
        texture = _pictogram_texture(path) if path is not None else None
        self._colour.rgba = self.color
        if texture is None:
            self._rect.size = (0, 0)
            return
        self._rect.texture = texture
        self._rect.size = (side, side)
        self._rect.pos = (int(self.center_x - side / 2), int(self.center_y - side / 2))


class FitText(Label):
    """A label in a box of fixed size whose text is fitted to it by player.render.text_fit
    (wrap, hyphenate, step the size down from ``max_font`` to ``min_font``, then an
    ellipsis): never a sliced glyph, never ink outside the box."""

    source_text = StringProperty("")
    max_font = NumericProperty(30)
    min_font = NumericProperty(16)
    lang = StringProperty("fr")
    max_lines = NumericProperty(0)  # 0: as many as fit
    role = StringProperty("text")
    # The text's width on one line at max_font (whatever the box): a row can size the
    # label to its text and centre it with a pictogram.
    natural_width = NumericProperty(0)

    def __init__(self, **kw: object) -> None:
        self.fit: FittedText | None = None
        self._fit_later = Clock.create_trigger(self._refit, -1)
        super().__init__(**kw)
        self.bind(source_text=self._fit_later, max_font=self._fit_later, min_font=self._fit_later,
                  lang=self._fit_later, max_lines=self._fit_later, size=self._fit_later, bold=self._fit_later)
        self._fit_later()

    def fit_now(self) -> None:
        self._refit()

    def _refit(self, *_: object) -> None:
        width, _height = measurer(bool(self.bold), bool(self.italic), self.font_name)
        self.natural_width = width(self.source_text, int(self.max_font)) if self.source_text else 0
        if self.width < 2 or self.height < 2 or not self.source_text.strip():
            self.fit = None
            self.text = ""
            return
        fit = fitted(self.source_text, (self.width, self.height), max_size=self.max_font,
                     min_size=min(self.min_font, self.max_font), lang=self.lang, bold=self.bold,
                     font_name=self.font_name, max_lines=int(self.max_lines) or None)
        self.fit = fit
        show_fitted(self, fit)


class TextBlock(Label):
    """A paragraph that wraps to its width and is exactly as tall as its text.

    ``role`` (text | label | heading | group | status-open | status-closed | status-alert)
    sets weight, size and colour in widgets.kv, so a theme switch restyles it. A word wider
    than the block (a long German compound, a URL) is hyphenated by player.render.text_fit
    instead of spilling out of it.
    """

    role = StringProperty("text")
    lang = StringProperty("fr")
    text: str  # Label's StringProperty, for mypy
    HYPHENATE_FROM = 10  # shorter words always fit a column: not measured

    def __init__(self, **kw: object) -> None:
        self._source = ""
        self._own_change = False
        self._hyphenate_later = Clock.create_trigger(self._hyphenate, -1)
        super().__init__(**kw)
        self._source = self.text
        self.bind(text=self._text_changed, width=self._hyphenate_later, font_size=self._hyphenate_later,
                  lang=self._hyphenate_later)
        self._hyphenate_later()

    @property
    def source_text(self) -> str:
        """The text as given (``text`` may have hyphenated line breaks)."""
        return self._source

    def _text_changed(self, *_: object) -> None:
        if not self._own_change:
            self._source = self.text
            self._hyphenate_later()

    def _hyphenate(self, *_: object) -> None:
        source, limit = self._source, self.width - 1
        if limit < 2 or not source:
            return
        width, _height = measurer(bool(self.bold), bool(self.italic), self.font_name)
        size = int(self.font_size)
        text = source
        if any(len(word) >= self.HYPHENATE_FROM and width(word, size) > limit for word in source.split()):
            # Kivy would cut the word between two letters with no sign: break it where the
            # language allows, with a hyphen (player.render.text_fit).
            lines, _broken = wrap(source, limit, size, lambda s, px: width(s, int(px)), self.lang)
            text = "\n".join(lines)
        if text != self.text:
            self._own_change = True
            self.text = text
            self._own_change = False


class MoreBelow(Target, Surface, BoxLayout):
    """Over the bottom of a scrolling page while there is more below: says so, and a touch
    scrolls down by most of a screen (a page cut at its bottom edge looked finished)."""

    scroll = ObjectProperty(None)  # the ScrollView it belongs to
    label = StringProperty("")
    shown = BooleanProperty(False)

    def on_scroll(self, _w: object, view: Any) -> None:  # a Kivy ScrollView (or RecycleView)
        if view is not None:
            view.bind(scroll_y=self._update, height=self._update)
            content = view.children[0] if view.children else None
            if content is not None:
                content.bind(height=self._update)
            self._update()

    def _update(self, *_: object) -> None:
        view = self.scroll
        content = view.children[0] if view is not None and view.children else None
        more = content is not None and content.height > view.height + 2 and view.scroll_y > 0.005
        self.shown = bool(more)
        self.opacity, self.disabled = (1, False) if more else (0, True)

    def on_release(self) -> None:
        view = self.scroll
        content = view.children[0] if view is not None and view.children else None
        if content is None or content.height <= view.height:
            return
        step = view.height * 0.8 / (content.height - view.height)
        view.scroll_y = max(0.0, view.scroll_y - step)


class ListHeading(TextBlock):
    """A day or group heading between list rows (a view of the list's RecycleView)."""


class FieldRow(BoxLayout):
    """``label``  ``text`` on one line (two columns), wrapping in each column."""

    label = StringProperty("")
    text = StringProperty("")
    tone = StringProperty("text")
    lang = StringProperty("fr")


class NavBar(Surface, BoxLayout):
    """Back, home, read aloud, larger text, high contrast: the same place on every screen."""

    screen = ObjectProperty(None)
    ui = DictProperty({})
    show_back = BooleanProperty(True)
    can_read = BooleanProperty(False)
    reading = BooleanProperty(False)

    def on_kv_post(self, _base: object) -> None:
        # A label that wraps (German, large text) makes the whole bar taller, so no
        # button's text ever spills out of it. (Children exist only once kv applied.)
        for child in self.children:
            if isinstance(child, Label):
                child.bind(texture_size=self._fit, opacity=self._fit)
        self._fit()

    def _fit(self, *_: object) -> None:
        from .look import LOOK

        tallest = max((c.texture_size[1] for c in self.children if isinstance(c, Label) and c.opacity > 0),
                      default=0)
        self.height = max(LOOK.target, tallest + LOOK.pad) + LOOK.pad * 2


class QRCode(Surface):
    """A QR code drawn as rectangles (dark on white, whatever the theme: scanners need it)."""

    data = StringProperty("")
    modules = ListProperty([])

    def __init__(self, **kw: object) -> None:
        # Redraw once per frame, after layout has settled its final size and position.
        self._redraw_soon = Clock.create_trigger(self._redraw, -1)
        super().__init__(**kw)

    def on_data(self, *_: object) -> None:
        self.modules = [list(r) for r in qr_matrix(self.data)] if self.data else []

    def on_modules(self, *_: object) -> None:
        self._redraw_soon()

    def on_size(self, *_: object) -> None:
        self._redraw_soon()

    def on_pos(self, *_: object) -> None:
        self._redraw_soon()

    def _redraw(self, *_: object) -> None:
        self.canvas.after.clear()
        if not self.modules:
            return
        n = len(self.modules) + 8  # four modules of quiet zone on each side
        side = min(self.width, self.height)
        cell = int(side / n) or 1
        size = cell * n
        x0 = self.center_x - size / 2 + 4 * cell
        y0 = self.center_y + size / 2 - 4 * cell
        with self.canvas.after:
            Color(1, 1, 1, 1)
            Rectangle(pos=(self.center_x - size / 2, self.center_y - size / 2), size=(size, size))
            Color(0, 0, 0, 1)
            for r, row in enumerate(self.modules):
                for c, dark in enumerate(row):
                    if dark:
                        Rectangle(pos=(x0 + c * cell, y0 - (r + 1) * cell), size=(cell, cell))

"""Building blocks shared by the screens (their look is in widgets.kv).

Every touchable widget is a :class:`Target`: its ``tid`` names it for the test harness,
and its size never drops under the theme's target size (9 mm or more on the real screen).
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    DictProperty,
    ListProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

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
    """A list row: a title and a detail line, both wrapping, as tall as they need."""

    title = StringProperty("")
    detail = StringProperty("")
    tone = StringProperty("text")


class Tile(Target, Surface, BoxLayout):
    """A home-grid category."""

    label = StringProperty("")
    alert = BooleanProperty(False)


class TextBlock(Label):
    """A paragraph that wraps to its width and is exactly as tall as its text.

    ``role`` (text | label | heading | group | status-open | status-closed | status-alert)
    sets weight, size and colour in widgets.kv, so a theme switch restyles it.
    """

    role = StringProperty("text")


class FieldRow(BoxLayout):
    """``label``  ``text`` on one line (two columns), wrapping in each column."""

    label = StringProperty("")
    text = StringProperty("")
    tone = StringProperty("text")


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

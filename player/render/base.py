"""What every slide and band shares: the screen size slides lay out for, the slide base
class, font sizes relative to the screen with a floor readable from 2 m, and the bound on
Kivy's image caches.

Import only after the application has configured Kivy (kiosk.device.kivy_env).
"""
from __future__ import annotations

from collections.abc import Callable

from kivy.cache import Cache
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.properties import ListProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from player.render.fitted_label import FittedLabel

BACKGROUND = (0.063, 0.078, 0.094, 1)  # #101418, the dark theme's (player.severity.DARK)
TEXT = (1, 1, 1, 1)
MUTED_TEXT = (0.80, 0.84, 0.88, 1)  # #CCD6E0 on the background: 12:1
# Kivy's image caches keep an entry 60 s whatever their number ('kv.image' has no count
# limit, 'kv.texture' 1,000): at a slide every 76 ms (the player benchmark) that would be
# hundreds of screen-sized textures. Slides load their images uncached (``nocache``); the
# player bounds these caches by count for anything else that loads through them.
KIVY_IMAGE_CACHES = ("kv.image", "kv.texture")
KIVY_IMAGE_CACHE_LIMIT = 8
# The smallest text a slide, band or zone draws, as a share of the screen's short side:
# 28 px on a 1080-line screen, which on a 43-inch panel (0.49 mm a pixel) is a 14 mm
# body with ~10 mm capitals — legible from 2 m (about 1:200 letter height to distance).
READABLE_FLOOR = 0.026
MIN_FONT_PX = 14


def bound_kivy_caches(limit: int = KIVY_IMAGE_CACHE_LIMIT) -> None:
    """Drop the least recently used entries of Kivy's image and texture caches beyond
    ``limit``. Kivy's own count limit (set here too) never drops an entry added during the
    current clock frame, so the slides call this each time one is built."""
    for category in KIVY_IMAGE_CACHES:
        if Cache._categories.get(category, {}).get("limit") != limit:
            Cache.register(category, limit=limit, timeout=60)  # Kivy registered it unbounded
        entries = Cache._objects.get(category, {})  # Kivy has no public count or LRU order
        if len(entries) > limit:
            by_age = sorted(entries, key=lambda key: entries[key]["lastaccess"])
            for key in by_age[: len(entries) - limit]:
                Cache.remove(category, key)


class _Screen:
    """The size slides lay out for: the window's, or the turned one (display.orientation)."""

    turned: tuple[int, int] | None = None


def set_turned_screen(size: tuple[int, int] | None) -> None:
    """The picture is turned on the panel: slides size their text for ``size``."""
    _Screen.turned = size


def screen_size() -> tuple[int, int]:
    return _Screen.turned or (int(Window.width), int(Window.height))


def font_px(ratio: float) -> float:
    """A font size, ``ratio`` of the screen's short side (the long side counts a little on
    a very wide screen), never under the readable floor's absolute minimum."""
    sw, sh = screen_size()
    return max(MIN_FONT_PX, min(sw, sh, max(sw, sh) * 0.6) * ratio)


def readable_floor() -> float:
    """The smallest font size slides step down to before shortening a text."""
    return font_px(READABLE_FLOOR)


def text(source: str, lang: str, ratio: float, *, floor: float = READABLE_FLOOR,
         max_lines: int | None = None, **kw: object) -> FittedLabel:
    """A label fitting ``source`` to its box: from ``ratio`` of the screen down to
    ``floor``, then an ellipsis (:class:`~player.render.fitted_label.FittedLabel`)."""
    return FittedLabel(source, lang=lang, max_size=lambda: font_px(ratio), min_size=lambda: font_px(floor),
                       max_lines=max_lines, **kw)


def paint(widget: FloatLayout, colour: tuple[float, ...]) -> Callable[[tuple[float, ...]], None]:
    """Fill ``widget``'s box with ``colour`` (behind its children); returns a setter."""
    with widget.canvas.before:
        c = Color(*colour)
        rect = Rectangle(pos=widget.pos, size=widget.size)

    def sync(*_: object) -> None:
        rect.pos, rect.size = widget.pos, widget.size

    widget.bind(pos=sync, size=sync)

    def set_colour(rgba: tuple[float, ...]) -> None:
        c.rgba = rgba

    return set_colour


class Slide(FloatLayout):
    """A full-screen slide. ``on_finished`` fires when it ends on its own (video end)."""

    item_id = StringProperty("")
    background = ListProperty(BACKGROUND)
    # What the screen shows, when not the item's kind (a video's poster).
    shows_kind: str | None = None

    __events__ = ("on_finished",)

    def __init__(self, **kw: object) -> None:
        kw.setdefault("pos_hint", {"x": 0, "y": 0})
        super().__init__(**kw)
        with self.canvas.before:
            self._bg_colour = Color(*self.background)
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._sync_bg, size=self._sync_bg, background=self._sync_bg)

    def _sync_bg(self, *_: object) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
        self._bg_colour.rgba = self.background

    def prepare(self, on_ready: Callable[[], None], on_failed: Callable[[str], None]) -> None:
        """Get ready off-screen; call ``on_ready`` once the first frame can be drawn.

        The player keeps the current slide up until then, so no black frame shows.
        """
        on_ready()

    def start(self) -> None:
        """Called when the slide becomes visible."""

    def stop(self) -> None:
        """Called when the slide leaves the screen; release media here."""

    def let_go(self) -> None:
        """The slide left the screen for good: drop what it draws (its pictures' and
        texts' textures go with their last reference), without waiting for the cycle
        collector to free the slide itself (kiosk.app.heap_trim: a slide frozen out of
        the collector is never freed)."""
        for widget in self.walk(restrict=True):
            for canvas in (widget.canvas.before, widget.canvas, widget.canvas.after):
                canvas.clear()

    def on_finished(self) -> None:
        pass

    def text_boxes(self) -> list[FittedLabel]:
        """The slide's fitted texts (tests check their ink stays inside their boxes)."""
        return [w for w in self.walk(restrict=True) if isinstance(w, FittedLabel)]

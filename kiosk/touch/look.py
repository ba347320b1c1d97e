"""The current theme and sizes as Kivy properties, so every .kv rule follows a switch.

There is one touch UI per process (Kivy has one window), hence one :data:`LOOK`; the
root widget is the only writer (theme toggle, large text, window resize).
"""
from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty

from player.severity import RGBA

from .theme import STANDARD, Sizes, Theme


class Look(EventDispatcher):
    _severity = STANDARD.severity

    theme_name = StringProperty(STANDARD.name)
    portrait = BooleanProperty(False)
    large_text = BooleanProperty(False)

    background = ColorProperty(STANDARD.background)
    text = ColorProperty(STANDARD.text)
    muted = ColorProperty(STANDARD.muted)
    surface = ColorProperty(STANDARD.surface)
    header = ColorProperty(STANDARD.header)
    header_text = ColorProperty(STANDARD.header_text)
    button = ColorProperty(STANDARD.button)
    button_text = ColorProperty(STANDARD.button_text)
    selected = ColorProperty(STANDARD.selected)
    selected_text = ColorProperty(STANDARD.selected_text)
    open_text = ColorProperty(STANDARD.open_text)
    closed_text = ColorProperty(STANDARD.closed_text)
    outline = ColorProperty(STANDARD.outline)
    overlay = ColorProperty(STANDARD.overlay)
    overlay_text = ColorProperty(STANDARD.overlay_text)

    target = NumericProperty(80)
    pad = NumericProperty(16)
    font_small = NumericProperty(24)
    font_body = NumericProperty(29)
    font_title = NumericProperty(48)
    font_huge = NumericProperty(72)

    def apply(self, theme: Theme, sizes: Sizes, portrait: bool, large_text: bool) -> None:
        for name in ("background", "text", "muted", "surface", "header", "header_text", "button",
                     "button_text", "selected", "selected_text", "open_text",
                     "closed_text", "outline", "overlay", "overlay_text"):
            setattr(self, name, getattr(theme, name))
        for name in ("target", "pad", "font_small", "font_body", "font_title", "font_huge"):
            setattr(self, name, getattr(sizes, name))
        self._severity = theme.severity
        self.theme_name = theme.name
        self.portrait = portrait
        self.large_text = large_text

    # Alerts in player.severity's colours. The fills are the same in both themes, the inks
    # are not: kv rules pass ``LOOK.theme_name`` so they re-evaluate on a theme switch.
    def fill(self, severity: str, _theme: str = "") -> RGBA:
        """The colour an alert of ``severity`` paints its band, tile or card with."""
        return self._severity.style(severity or "critical").fill

    def fill_text(self, severity: str, _theme: str = "") -> RGBA:
        """Text and pictograms on :meth:`fill`."""
        return self._severity.style(severity or "critical").on_fill

    def ink(self, severity: str, _theme: str = "") -> RGBA:
        """The severity as text on the page's background or a surface."""
        return self._severity.style(severity or "critical").ink

    def tone(self, tone: str) -> list[float]:
        """Text colour of a tone (open / closed / alert / today / text)."""
        return {
            "open": self.open_text, "closed": self.closed_text, "today": self.text,
        }.get(tone, self.text)


LOOK = Look()

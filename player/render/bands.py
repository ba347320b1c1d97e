"""The loop's bands: the alert banner at the top (in the most severe alert's colours) and
the status bar at the bottom (the town's name and the time).

Import only after the application has configured Kivy (kiosk.device.kivy_env).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.uix.floatlayout import FloatLayout

from content_cache import BulletinData
from player.i18n import gettext_for
from player.render.base import text
from player.severity import severity_style

BANNER_TEXT_RATIO = 0.05


class AlertBanner(FloatLayout):
    """Banner alerts over the loop: a strip in the most severe alert's colour, always on
    top; the alerts' titles fitted to it (two lines, then smaller, then shortened)."""

    def __init__(self, height_hint: float = 0.13, **kw: object) -> None:
        super().__init__(size_hint=(1, height_hint), pos_hint={"x": 0, "top": 1}, opacity=0, **kw)
        style = severity_style("critical")
        with self.canvas.before:
            self._colour = Color(*style.fill)
            self._rect = Rectangle()
        self.bind(pos=self._sync, size=self._sync)
        self._label = text("", "fr", BANNER_TEXT_RATIO, max_lines=3, bold=True, valign="middle",
                           color=style.on_fill, size_hint=(0.92, 0.84), pos_hint={"x": 0.04, "center_y": 0.5})
        self.add_widget(self._label)
        self.alert_ids: tuple[str, ...] = ()
        self.severity: str | None = None

    def _sync(self, *_: object) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size

    def show(self, alerts: tuple[BulletinData, ...], lang: str) -> None:
        """Show these alerts (most severe first), or hide the banner when there are none."""
        self.alert_ids = tuple(b.id for b in alerts)
        if not alerts:
            self.opacity = 0
            self.severity = None
            return
        _ = gettext_for(lang)
        self.severity = alerts[0].severity
        style = severity_style(self.severity)
        self._colour.rgba = style.fill
        self._label.color = style.on_fill
        self._label.lang = lang
        self._label.set_source(f"{_('Alert').upper()} · " + "  ·  ".join(b.title.get(lang) for b in alerts))
        self.opacity = 1


class StatusBar(FloatLayout):
    """Bottom strip: the town's name and the local time, refreshed each minute."""

    def __init__(self, site_name: str, now: Callable[[], datetime], height_hint: float = 0.07,
                 **kw: object) -> None:
        super().__init__(size_hint=(1, height_hint), pos_hint={"x": 0, "y": 0}, **kw)
        self._now = now
        with self.canvas.before:
            Color(0, 0, 0, 0.78)
            self._rect = Rectangle()
        self.bind(pos=self._sync, size=self._sync)
        self._name = text(site_name, "fr", 0.034, floor=0.022, max_lines=1, valign="middle",
                          size_hint=(0.66, 0.8), pos_hint={"x": 0.03, "center_y": 0.5})
        self._clock = text("", "fr", 0.034, floor=0.022, max_lines=1, valign="middle", halign="right",
                           size_hint=(0.28, 0.8), pos_hint={"right": 0.97, "center_y": 0.5})
        self.add_widget(self._name)
        self.add_widget(self._clock)
        self._tick()

    def set_site_name(self, name: str) -> None:
        self._name.set_source(name)

    def show_clock(self, shown: bool) -> None:
        """Show or hide the bar's time (hidden while a side zone shows the time and date,
        so the screen has one clock)."""
        self._clock.opacity = 1 if shown else 0

    def _sync(self, *_: object) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size

    def _tick(self, *_: object) -> None:
        t = self._now()
        self._clock.set_source(t.strftime("%d/%m/%Y  %H:%M"))
        # Wake up at the next minute only: the bar costs nothing in between.
        Clock.schedule_once(self._tick, 60 - t.second + 0.05)

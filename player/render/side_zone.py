"""The side zone: a column beside the slides (landscape) or a row below them (portrait)
with the time and date, the next agenda events, the current alerts and today's forecast,
as the content's layout lists them. It refreshes itself each minute.

Import only after the application has configured Kivy (kiosk.device.kivy_env).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from content_cache import BulletinData, LiveContent
from player.i18n import gettext_for
from player.render.base import MUTED_TEXT, TEXT, text
from player.render.fitted_label import FittedLabel
from player.render.side_info import alert_lines, clock_text, next_events, todays_forecast
from player.severity import DARK, severity_style

ZONE_BACKGROUND = (0.043, 0.059, 0.075, 1)  # #0B0F13, a shade under the slides'
HEADING = DARK.info.ink  # panel headings in the information blue (8.8:1 on the zone)
PANELS = ("clock", "events", "alerts", "forecast")


@dataclass(frozen=True)
class SideContent:
    """What the zone draws from: the display language, the agenda's and the forecast's
    documents and the alerts in force (most severe first)."""

    lang: str = "fr"
    events: Sequence[Mapping[str, object]] = ()
    forecast: Sequence[Mapping[str, object]] = ()
    alerts: tuple[BulletinData, ...] = ()
    panels: tuple[str, ...] = PANELS
    event_count: int = 3


def side_content(content: LiveContent | None, playlist_id: str | None, lang: str,
                 alerts: tuple[BulletinData, ...]) -> SideContent | None:
    """What the zone shows for ``content`` while ``playlist_id`` plays, or None when its
    layout has no side zone."""
    if content is None:
        return None
    layout = content.layout_for(playlist_id)
    if not layout.side_zone:
        return None
    sections = content.kiosk_sections
    return SideContent(lang=lang, events=sections.get("events", ()), forecast=sections.get("forecast", ()),
                       alerts=alerts, panels=layout.side_zone, event_count=layout.events)


class SideZone(FloatLayout):
    """The zone's panels, laid out for its own shape (a column if taller than wide)."""

    def __init__(self, now: Callable[[], datetime], **kw: object) -> None:
        kw.setdefault("size_hint", (None, None))
        super().__init__(**kw)
        self._now = now
        self.content = SideContent()
        with self.canvas.before:
            Color(*ZONE_BACKGROUND)
            self._bg = Rectangle()
        self._box = BoxLayout(orientation="vertical", size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.add_widget(self._box)
        self.bind(pos=self._sync, size=self._sync)
        self.event_titles: list[FittedLabel] = []
        self._key: object = None
        self._tick_event = Clock.schedule_once(self._tick, 0)

    def _sync(self, *_: object) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
        orientation = "vertical" if self.height >= self.width else "horizontal"
        pad = min(self.width, self.height) * 0.06
        self._box.padding = [pad, pad, pad, pad]
        self._box.spacing = pad * 0.8
        if orientation != self._box.orientation or self._key is None:
            # Rebuilt only when its shape turns or it was never built: a resize alone
            # just lays the panels out again (their texts refit themselves).
            self._box.orientation = orientation
            self._key = None
            self.refresh()

    def set_content(self, content: SideContent) -> None:
        if content != self.content:
            self.content = content
            self.refresh()

    def stop(self) -> None:
        self._tick_event.cancel()

    def _tick(self, *_: object) -> None:
        self.refresh()
        second = self._now().second
        self._tick_event = Clock.schedule_once(self._tick, 60 - second + 0.05)

    # -- building -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the panels if what they show changed (the minute, the content)."""
        if self.width < 10 or self.height < 10:
            return
        now = self._now()
        c = self.content
        events = next_events(c.events, now, c.lang, c.event_count) if "events" in c.panels else ()
        forecast = todays_forecast(c.forecast, now.date(), c.lang) if "forecast" in c.panels else None
        alerts = alert_lines(c.alerts, c.lang) if "alerts" in c.panels else ()
        clock = clock_text(now, c.lang) if "clock" in c.panels else None
        key = (clock, events, forecast, alerts, c.panels, c.lang, self._box.orientation)
        if key == self._key:
            return
        self._key = key
        self._box.clear_widgets()
        self.event_titles = []
        _ = gettext_for(c.lang)
        column = self._box.orientation == "vertical"
        for name in c.panels:
            if name == "clock" and clock is not None:
                panel = self._panel(1.4 if column else 1.0)
                panel.add_widget(text(clock[0], c.lang, 0.09, max_lines=1, bold=True, size_hint_y=0.62))
                panel.add_widget(text(clock[1], c.lang, 0.034, max_lines=2, color=MUTED_TEXT, size_hint_y=0.38))
            elif name == "events" and events:
                panel = self._panel(0.9 + 1.1 * len(events) if column else 2.0)
                panel.add_widget(self._heading(_("Coming up"), c.lang))
                for e in events:
                    panel.add_widget(text(e.when, c.lang, 0.03, floor=0.024, max_lines=1, color=HEADING,
                                          bold=True, size_hint_y=0.8))
                    title = text(e.title, c.lang, 0.036, max_lines=2, bold=True, size_hint_y=1.35)
                    self.event_titles.append(title)
                    panel.add_widget(title)
            elif name == "alerts" and alerts:
                panel = self._panel(0.9 + 1.2 * len(alerts) if column else 1.6)
                panel.add_widget(self._heading(_("Alerts"), c.lang))
                for a in alerts:
                    panel.add_widget(_AlertRow(a.title, a.severity, c.lang, size_hint_y=1.5))
            elif name == "forecast" and forecast is not None:
                panel = self._panel(2.0 if column else 1.2)
                panel.add_widget(self._heading(_("Weather today"), c.lang))
                panel.add_widget(text(forecast.summary, c.lang, 0.034, max_lines=2, size_hint_y=1.2))
                panel.add_widget(text(forecast.temperatures(), c.lang, 0.05, max_lines=1, bold=True,
                                      size_hint_y=1.0))

    def _panel(self, weight: float) -> BoxLayout:
        panel = BoxLayout(orientation="vertical", size_hint=(1, weight) if self._box.orientation == "vertical"
                          else (weight, 1), spacing=2)
        self._box.add_widget(panel)
        return panel

    @staticmethod
    def _heading(label: str, lang: str) -> Widget:
        return text(label.upper(), lang, 0.026, floor=0.022, max_lines=1, bold=True, color=MUTED_TEXT,
                    size_hint_y=0.7)


class _AlertRow(FloatLayout):
    """An alert's title beside a bar in its severity's colour."""

    def __init__(self, title: str, severity: str, lang: str, **kw: object) -> None:
        super().__init__(**kw)
        style = severity_style(severity)
        with self.canvas.before:
            Color(*style.fill)
            self._bar = Rectangle()
        self.label = text(title, lang, 0.032, max_lines=2, bold=True, color=TEXT,
                          size_hint=(0.9, 0.95), pos_hint={"right": 1, "center_y": 0.5})
        self.add_widget(self.label)
        self.bind(pos=self._sync, size=self._sync)

    def _sync(self, *_: object) -> None:
        self._bar.pos = (self.x, self.y + self.height * 0.08)
        self._bar.size = (max(4.0, self.width * 0.04), self.height * 0.84)

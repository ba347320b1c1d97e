"""The loop's bands around the slides: the status bar at the bottom, the alert banner at
the top, the ticker of bulletin titles next to one of them (``display.ticker``), and the
layout's side zone (the content's site or playlist layout, when it has panels). The stage,
where slides go, takes what is left, so nothing hides a slide or the banner.

Kivy side (imported after :func:`kiosk.device.kivy_env.prepare_kivy`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from kivy.uix.floatlayout import FloatLayout

from content_cache import BulletinData, LiveContent
from kiosk.app.frame_pacer import FramePacer
from kiosk.config import TickerPlace
from player.engine import NowPlaying
from player.render.geometry import screen_zones
from player.render.side_zone import SideZone, side_content
from player.render.slides import AlertBanner, StatusBar, screen_size
from player.render.ticker_strip import TickerStrip
from player.ticker import ticker_text

log = logging.getLogger(__name__)

STATUS_BAR_HEIGHT = 0.07
TICKER_HEIGHT = 0.06


class LoopBands:
    def __init__(self, ticker_place: TickerPlace | None, pacer: FramePacer) -> None:
        self.ticker_place = ticker_place
        self.pacer = pacer
        self.ticker: TickerStrip | None = None
        self.alert_ids: tuple[str, ...] = ()  # what the banner shows

    def bottom_height(self) -> float:
        """Share of the screen's height the bands take at the bottom."""
        return STATUS_BAR_HEIGHT + (TICKER_HEIGHT if self.ticker_place == "bottom" else 0.0)

    def build(self, now: Callable[[], datetime]) -> FloatLayout:
        """The loop's root: the stage (:attr:`stage`) and the bands over it."""
        root = FloatLayout()
        # Slides fill the screen above the status bar, so the bar never hides content.
        self.stage = FloatLayout(size_hint=(1, 1 - STATUS_BAR_HEIGHT), pos_hint={"x": 0, "top": 1})
        root.add_widget(self.stage)
        self.status = StatusBar("", now, height_hint=STATUS_BAR_HEIGHT)
        root.add_widget(self.status)
        self.banner = AlertBanner()
        root.add_widget(self.banner)
        # The layout's side zone (content: site or playlist layout), shown when it has panels.
        self.side = SideZone(now, opacity=0)
        root.add_widget(self.side)
        if self.ticker_place:
            self.ticker = TickerStrip(on_moving=self._ticker_moving, size_hint=(1, TICKER_HEIGHT),
                                      pos_hint={"x": 0, "y": STATUS_BAR_HEIGHT})
            root.add_widget(self.ticker)
        return root

    def show_alerts(self, bulletins: Sequence[BulletinData], lang: str) -> None:
        """The banner alerts now (none: the banner goes)."""
        ids = tuple(b.id for b in bulletins)
        if ids != self.alert_ids:
            self.banner.show(tuple(bulletins), lang)
            self.alert_ids = ids
            self.pacer.nudge()
            self._layout()
            log.info("alert banner: %s", ", ".join(b.id for b in bulletins) or "none")

    def show_side(self, content: LiveContent | None, playlist: str | None, lang: str,
                  alerts: Sequence[BulletinData]) -> None:
        """The side zone's panels now (none: the zone goes and the stage takes its place)."""
        side = side_content(content, playlist, lang, tuple(alerts))
        if side is not None:
            self.side.set_content(side)
        self.status.show_clock(side is None or "clock" not in side.panels)
        if (side is not None) != (self.side.opacity > 0):
            self.side.opacity = 1 if side is not None else 0
            self._layout()

    def update_ticker(self, content: LiveContent | None, answer: NowPlaying | None, now: datetime,
                      lang: str) -> datetime | None:
        """Current non-alert bulletin titles into the ticker (none during a full-screen
        alert); returns when they may change next."""
        if self.ticker is None:
            return None
        titles: tuple[str, ...]
        until: datetime | None
        severities: tuple[str, ...] = ()
        if content is None or answer is None or answer.fullscreen_alert is not None:
            titles, until = (), None
        else:
            text = ticker_text(content.bulletins, now, lang, answer.clock_trusted)
            titles, until = text.titles, text.valid_until
            severities = text.severities
        if titles != self.ticker.titles:
            self.ticker.set_titles(titles, severities)
            self._layout()
            log.info("ticker: %d bulletin title(s)", len(titles))
        return until

    def pause_ticker(self) -> None:
        if self.ticker is not None:
            self.ticker.pause()

    def resume_ticker(self) -> None:
        if self.ticker is not None:
            self.ticker.resume()

    def _layout(self) -> None:
        top: float = 1 - (self.banner.size_hint_y if self.banner.alert_ids else 0)
        bottom = STATUS_BAR_HEIGHT
        if self.ticker is not None and self.ticker.titles:
            if self.ticker_place == "top":
                self.ticker.pos_hint = {"x": 0, "top": top}
                top -= TICKER_HEIGHT
            else:
                self.ticker.pos_hint = {"x": 0, "y": bottom}
                bottom += TICKER_HEIGHT
        zones = screen_zones(screen_size(), 1 - top, bottom, self.side.opacity > 0)
        x, y, w, h = zones.stage
        self.stage.size_hint = (w, h)
        self.stage.pos_hint = {"x": x, "y": y}
        if zones.side is not None:
            x, y, w, h = zones.side
            self.side.size_hint = (w, h)
            self.side.pos_hint = {"x": x, "y": y}

    def _ticker_moving(self, moving: bool) -> None:
        # Scrolling text needs the full frame rate; a still screen may idle.
        if moving:
            self.pacer.hold("ticker")
        else:
            self.pacer.release("ticker")

"""The loop's bands around the slides: the status bar at the bottom, the alert banner at
the top, the ticker of bulletin titles next to one of them (``display.ticker``). The
stage, where slides go, takes what is left, so nothing hides a slide or the banner.

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
from player.render.slides import AlertBanner, StatusBar
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

    def update_ticker(self, content: LiveContent | None, answer: NowPlaying | None, now: datetime,
                      lang: str) -> datetime | None:
        """Current non-alert bulletin titles into the ticker (none during a full-screen
        alert); returns when they may change next."""
        if self.ticker is None:
            return None
        titles: tuple[str, ...]
        until: datetime | None
        if content is None or answer is None or answer.fullscreen_alert is not None:
            titles, until = (), None
        else:
            text = ticker_text(content.bulletins, now, lang, answer.clock_trusted)
            titles, until = text.titles, text.valid_until
        if titles != self.ticker.titles:
            self.ticker.set_titles(titles)
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
        self.stage.size_hint_y = top - bottom
        self.stage.pos_hint = {"x": 0, "top": top}

    def _ticker_moving(self, moving: bool) -> None:
        # Scrolling text needs the full frame rate; a still screen may idle.
        if moving:
            self.pacer.hold("ticker")
        else:
            self.pacer.release("ticker")

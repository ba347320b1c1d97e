"""The touch UI's root widget: its layers, content, language, themes and touches; its
navigation is :class:`kiosk.touch.root_navigation.Navigation`, the idle reset and the
attract screen :class:`kiosk.touch.root_idle.IdleAndAttract` (where the visitor is: a
:class:`kiosk.touch.root_parts.Place`); the admin gesture and overlay are its
:class:`kiosk.touch.root_admin.AdminController`, the alerts over every screen its
:class:`kiosk.touch.root_alerts.AlertController`.

Its layers, bottom to top: the screens, the attract layer, the alerts (strip, full-screen
card), the dialogs (idle countdown, PIN pad, admin overlay). Events for the host:

* ``on_session_start(lang)`` — someone touched the attract screen; pause the signage loop.
* ``on_attract(reason)`` — the UI is back on the attract screen ("idle"); resume the loop.
* ``on_screen_shown(name)`` — a screen was drawn ("attract", "home", "list", "detail"):
  the player saves its screenshots then (``--screenshots``).
"""
from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import OptionProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from content_cache import LiveContent

from .alerts import AlertsNow
from .catalogue import build_catalogue
from .idle import IdleTimer
from .list_pages import ListPages
from .look import LOOK
from .on_screen import TouchStatus
from .options import TouchOptions
from .overlays import AttractLayer, IdleBoard, IdleOverlay
from .root_admin import AdminController
from .root_alerts import AlertController
from .root_idle import IdleAndAttract
from .root_navigation import Navigation
from .root_parts import Place
from .screens import DetailScreen, HomeScreen, KioskScreen, ListScreen
from .speech import ReadAloud
from .theme import HIGH_CONTRAST, STANDARD, sizes_for
from .widgets import Surface

log = logging.getLogger(__name__)
TICK_S = 0.25


def settle_heap() -> None:
    """Once the content and the screens are built: the collector's full passes over tens
    of thousands of long-lived objects (documents, widgets, kv rules) took 100-150 ms,
    at random taps; frozen, they are left out of its way (a new version frees the old
    one's objects by reference counting all the same)."""
    gc.collect()
    gc.freeze()


class TouchRoot(Navigation, IdleAndAttract, Surface, FloatLayout):
    mode = OptionProperty("attract", options=["attract", "interactive"])
    lang = StringProperty("fr")

    __events__ = ("on_attract", "on_session_start", "on_screen_shown")

    def __init__(self, content: LiveContent | None, attract: Widget | None, options: TouchOptions,
                 now: Callable[[], datetime], monotonic: Callable[[], float],
                 speech: ReadAloud | None = None, dpi: float = 96.0) -> None:
        super().__init__()
        self.options = options
        self._now = now
        self._mono = monotonic
        self._dpi = options.dpi or dpi
        self.catalogue = build_catalogue(content)
        self.lang = options.default_language
        self.high_contrast = False
        self.large_text = False
        self.history: list[Place] = []
        self.place = Place("home")
        self.idle = IdleTimer(options.idle_timeout_s, options.countdown_s)
        self.speech = speech if speech is not None else ReadAloud()
        self._derived: Path | None = None  # downscaled page images
        self.list_pages = ListPages()
        self._ahead: list[str] = []  # lists to build while the home screen is read
        # one list every 0.1 s, the first once the home screen is drawn: no frame waits long
        self._build_ahead = Clock.create_trigger(self._build_ahead_step, 0.1)
        self._minute = -1

        self.sm = ScreenManager(transition=NoTransition(), size_hint=(None, None))
        self.home_screen = HomeScreen(controller=self)
        self.list_screen = ListScreen(controller=self)
        self.detail_screen = DetailScreen(controller=self)
        self.screens: dict[str, KioskScreen] = {
            "home": self.home_screen, "list": self.list_screen, "detail": self.detail_screen,
        }
        for screen in self.screens.values():
            self.sm.add_widget(screen)
        # The layers over the screens, bottom to top (each a slot its widgets come and go in).
        self._attract_slot, self._alert_slot, self._dialog_slot = FloatLayout(), FloatLayout(), FloatLayout()
        for layer in (self.sm, self._attract_slot, self._alert_slot, self._dialog_slot):
            self.add_widget(layer)
        self._loop = attract  # the host's signage loop (hybrid mode), which shows alerts itself
        self.attract_layer = AttractLayer(controller=self, band_y=options.attract_band_y,
                                          inset_stage=attract is None)
        self.idle_board = IdleBoard()
        self.attract_layer.set_stage(attract)
        self.alerts = AlertController(on_strip=self._strip_touched, timezone=lambda: self.catalogue.timezone)
        self.alerts.on_change = self._refresh_alerts
        self.alerts.strip.pos_hint = {"x": 0, "top": 1}
        self._alert_slot.add_widget(self.alerts.strip)
        self.alerts.strip.bind(height=self._layout, opacity=self._layout)
        self.idle_overlay = IdleOverlay(controller=self)
        self.admin = AdminController(options, monotonic, language=lambda: self.lang, show=self._show,
                                     hide=self._hide)
        self.pin_pad, self.admin_panel = self.admin.pin_pad, self.admin.admin_panel
        self.bind(size=lambda *_: self._apply_look(rerender=True), pos=self._layout)
        self._apply_look(rerender=False)
        self._show_attract()
        self._ticker = Clock.schedule_interval(self._tick, TICK_S)
        settle_heap()

    # -- events ----------------------------------------------------------------------
    def on_attract(self, reason: str) -> None:
        pass

    def on_session_start(self, lang: str) -> None:
        pass

    def on_screen_shown(self, name: str) -> None:
        pass

    # -- alerts ------------------------------------------------------------------------
    def set_alerts(self, alerts: AlertsNow) -> None:
        """The alerts in force (the host's schedule engine decides, as for the loop)."""
        if self.alerts.set(alerts):
            self._refresh_alerts()

    def _refresh_alerts(self) -> None:
        interactive = self.mode == "interactive"
        lang = self.lang if interactive else self.options.default_language
        _strip, card = self.alerts.show(lang=lang, interactive=interactive, loop_shows_alerts=self._loop is not None)
        if card and self.alerts.card.parent is None:
            self._alert_slot.add_widget(self.alerts.card)
        elif not card and self.alerts.card.parent is not None:
            self._alert_slot.remove_widget(self.alerts.card)
        if self._loop is None:  # kiosk mode: a full-screen alert takes the attract screen's stage
            self.attract_layer.set_stage(self.alerts.attract_card if self.alerts.attract_alert() else self.idle_board)
        self._layout()

    def _strip_touched(self) -> None:
        if self.mode == "attract":
            self.start_session(None)
        if not (self.place.screen == "list" and self.place.category == "alerts"):
            self.open_category("alerts")

    def _layout(self, *_: object) -> None:
        """The screens (and kiosk mode's idle board) below the alert strip, when it shows."""
        strip = self.alerts.strip
        top = strip.height if strip.opacity > 0 else 0
        self.sm.size = (self.width, max(0, self.height - top))
        self.sm.pos = self.pos
        self.attract_layer.top_inset = top

    def status(self) -> TouchStatus:
        """What the touch UI shows now (``kiosk status``)."""
        attract = self.mode == "attract"
        overlay = next((name for name, w in (("admin overlay", self.admin_panel), ("PIN pad", self.pin_pad),
                                             ("idle countdown", self.idle_overlay),
                                             ("full-screen alert", self.alerts.card)) if w.parent is not None), "")
        stage = self.attract_layer.stage_widget
        what = ("signage loop" if self._loop is not None else
                "full-screen alert" if stage is self.alerts.attract_card else "idle board")
        loop = self._loop is not None
        return TouchStatus(
            mode=self.mode, screen="attract" if attract else self.place.screen,
            lang=self.options.default_language if attract else self.lang,
            category="" if attract else self.place.category, doc_id="" if attract else self.place.doc_id,
            seconds_to_idle=self.idle.seconds_to_attract(self._mono()), overlay=overlay,
            attract=what if attract else "",
            alerts=tuple(self.alerts.ids_on_screen(interactive=not attract, loop_shows_alerts=loop)))

    # -- content and look --------------------------------------------------------------
    def set_content(self, content: LiveContent | None) -> None:
        """Show a new content version; a page whose document is gone falls back home."""
        self.catalogue = build_catalogue(content)
        self.list_pages.clear()
        if self.mode == "interactive":
            self._render(replace(self.place, scroll=self._scroll()))
        else:
            self._refresh_attract()
        settle_heap()

    def _apply_look(self, rerender: bool) -> None:
        w, h = (int(self.width), int(self.height)) if self.width > 1 else Window.size
        theme = HIGH_CONTRAST if self.high_contrast else STANDARD
        LOOK.apply(theme, sizes_for((w, h), self._dpi, self.large_text), portrait=h > w,
                   large_text=self.large_text)
        self.bg_color = theme.background
        if rerender and self.mode == "interactive":
            self._render(replace(self.place, scroll=self._scroll()))

    def toggle_contrast(self) -> None:
        self.high_contrast = not self.high_contrast
        log.info("touch UI: high contrast %s", "on" if self.high_contrast else "off")
        self._apply_look(rerender=True)

    def toggle_large_text(self) -> None:
        self.large_text = not self.large_text
        log.info("touch UI: large text %s", "on" if self.large_text else "off")
        self._apply_look(rerender=True)

    def set_language(self, lang: str) -> None:
        if lang not in self.options.languages or lang == self.lang:
            return
        self.lang = lang
        self.speech.stop()
        self._render(replace(self.place, scroll=self._scroll()))
        self._refresh_alerts()

    # -- touches ---------------------------------------------------------------------------
    def on_touch_down(self, touch: object) -> bool:
        self.idle.touch(self._mono())
        self.admin.corner_down(touch, self.top)
        return super().on_touch_down(touch)

    def on_touch_move(self, touch: object) -> bool:
        self.idle.touch(self._mono())
        self.admin.corner_move(touch, self.top)
        return super().on_touch_move(touch)

    def on_touch_up(self, touch: Any) -> bool:
        if self.admin.corner_up(touch):
            # The long press became the admin gesture: what it started on is not tapped.
            for widget in list(getattr(touch, "grab_list", ())):
                w = widget()
                if w is not None:
                    touch.ungrab(w)
            return True
        return super().on_touch_up(touch)

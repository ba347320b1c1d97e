"""The touch UI's root widget: navigation, language, themes, idle reset; the admin
gesture and overlay are its :class:`kiosk.touch.root_admin.AdminController`.

Events for the host application:

* ``on_session_start(lang)`` — someone touched the attract screen; pause the signage loop.
* ``on_attract(reason)`` — the UI is back on the attract screen ("idle"); resume the loop.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import OptionProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from content_cache import LiveContent

from .catalogue import build_catalogue
from .details import DetailBuilder
from .idle import IdleTimer
from .look import LOOK
from .options import LANGUAGE_NAMES, TouchOptions
from .overlays import AttractLayer, IdleOverlay, Modal
from .pages import CATEGORIES
from .root_admin import AdminController
from .screens import DetailScreen, HomeScreen, KioskScreen, ListScreen
from .speech import ReadAloud
from .theme import HIGH_CONTRAST, STANDARD, sizes_for
from .ui_text import interface_strings
from .widgets import Surface

log = logging.getLogger(__name__)
TICK_S = 0.25


@dataclass(frozen=True)
class Place:
    """Where the visitor is: a screen and what it shows, and how far it was scrolled."""

    screen: str  # home | list | detail
    category: str = ""
    doc_id: str = ""
    filter: str = "all"
    scroll: float = 1.0


class TouchRoot(Surface, FloatLayout):
    mode = OptionProperty("attract", options=["attract", "interactive"])
    lang = StringProperty("fr")

    __events__ = ("on_attract", "on_session_start")

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
        self._minute = -1

        self.sm = ScreenManager(transition=NoTransition())
        self.home_screen = HomeScreen(controller=self)
        self.list_screen = ListScreen(controller=self)
        self.detail_screen = DetailScreen(controller=self)
        self.screens: dict[str, KioskScreen] = {
            "home": self.home_screen, "list": self.list_screen, "detail": self.detail_screen,
        }
        for screen in self.screens.values():
            self.sm.add_widget(screen)
        self.add_widget(self.sm)
        self.attract_layer = AttractLayer(controller=self, band_y=options.attract_band_y)
        self.attract_layer.set_stage(attract)
        self.idle_overlay = IdleOverlay(controller=self)
        self.admin = AdminController(options, monotonic, language=lambda: self.lang, show=self._show,
                                     hide=self._hide)
        self.pin_pad, self.admin_panel = self.admin.pin_pad, self.admin.admin_panel
        self.bind(size=lambda *_: self._apply_look(rerender=True))
        self._apply_look(rerender=False)
        self._show_attract()
        self._ticker = Clock.schedule_interval(self._tick, TICK_S)

    # -- events ----------------------------------------------------------------------
    def on_attract(self, reason: str) -> None:
        pass

    def on_session_start(self, lang: str) -> None:
        pass

    # -- content and look --------------------------------------------------------------
    def set_content(self, content: LiveContent | None) -> None:
        """Show a new content version; a page whose document is gone falls back home."""
        self.catalogue = build_catalogue(content)
        if self.mode == "interactive":
            self._render(replace(self.place, scroll=self._scroll()))
        else:
            self._refresh_attract()

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

    # -- navigation ----------------------------------------------------------------------
    def start_session(self, lang: str | None) -> None:
        if self.mode != "attract":
            return
        self.lang = lang if lang in self.options.languages else self.options.default_language
        self.mode = "interactive"
        self.sm.opacity, self.sm.disabled = 1, False
        if self.attract_layer.parent is not None:
            self.remove_widget(self.attract_layer)
        self.idle.start(self._mono())
        self.history.clear()
        self._render(Place("home"))
        log.info("touch session started (%s)", self.lang)
        self.dispatch("on_session_start", self.lang)

    def go_home(self) -> None:
        self.history.clear()
        self._render(Place("home"))

    def open_category(self, category: str) -> None:
        self._push()
        self._render(Place("list", category))

    def open_detail(self, doc_id: str) -> None:
        self._push()
        self._render(Place("detail", self.place.category, doc_id))

    def set_filter(self, key: str) -> None:
        self._render(replace(self.place, filter=key, scroll=1.0))

    def back(self) -> None:
        self._render(self.history.pop() if self.history else Place("home"))

    def _push(self) -> None:
        self.history.append(replace(self.place, scroll=self._scroll()))

    def _scroll(self) -> float:
        return self.screens[self.place.screen].scroll_position()

    def _render(self, place: Place) -> None:
        self.speech.stop()
        builder = DetailBuilder(self.catalogue, self.lang, self._now())
        ui = interface_strings(self.lang)
        screen = self.screens[place.screen]
        screen.ui = ui
        screen.can_read = self.speech.available and self.options.read_aloud
        screen.reading = False
        if place.screen == "list":
            rows = builder.list_page(place.category, place.filter)
            if not rows.rows and place.category != "agenda":
                return self.go_home()  # the category emptied (new content, expired alert)
            self.list_screen.show(rows)
            self._speech_text = ".\n".join([rows.title] + [f"{r.title}. {r.detail}" for r in rows.rows])
        elif place.screen == "detail":
            detail = builder.detail(place.category, place.doc_id)
            if detail is None:
                return self.back()
            self.detail_screen.show(detail, builder._(CATEGORIES.get(place.category, "")), self._image(detail.image))
            self._speech_text = detail.speech()
        else:
            home = builder.home()
            languages = [(c, LANGUAGE_NAMES.get(c, c)) for c in self.options.languages]
            self.home_screen.show(home, languages, self.lang)
            self._speech_text = ".\n".join([home.title, ui["welcome"]] + [t.label for t in home.tiles])
        self.place = place
        self.sm.current = place.screen
        Clock.schedule_once(lambda _dt: screen.set_scroll_position(place.scroll), 0.05)

    def _image(self, sha: str) -> Path | None:
        if not sha or self.options.media_path is None:
            return None
        path = self.options.media_path(sha)
        if path is None or not path.is_file():
            log.info("image %s is not on this device yet; page shown without it", sha[:12])
            return None
        return path

    def toggle_read_aloud(self) -> None:
        screen = self.screens[self.place.screen]
        if self.speech.speaking:
            self.speech.stop()
            screen.reading = False
        else:
            screen.reading = self.speech.speak(self._speech_text, self.lang)

    # -- idle and attract ----------------------------------------------------------------
    def keep_session(self) -> None:
        self.idle.touch(self._mono())
        self._hide(self.idle_overlay)

    def reset_to_attract(self, reason: str = "idle") -> None:
        """Back to the attract screen; the next visitor finds nothing of the last one."""
        self.speech.stop()
        for overlay in (self.idle_overlay, self.pin_pad, self.admin_panel):
            self._hide(overlay)
        self.history.clear()
        for screen in self.screens.values():
            screen.set_scroll_position(1.0)
        self.lang = self.options.default_language
        self.high_contrast = self.large_text = False
        self._apply_look(rerender=False)
        self.idle.stop()
        self.place = Place("home")
        self.mode = "attract"
        self._show_attract()
        log.info("touch session ended (%s); back to the attract screen", reason)
        self.dispatch("on_attract", reason)

    def _show_attract(self) -> None:
        self._refresh_attract()
        # The screens under the attract layer are neither drawn nor touchable.
        self.sm.opacity, self.sm.disabled = 0, True
        if self.attract_layer.parent is None:
            self.add_widget(self.attract_layer, index=0)
            # Keep dialogs above the attract layer.
            for overlay in (self.pin_pad, self.admin_panel):
                if overlay.parent is self:
                    self.remove_widget(overlay)
                    self.add_widget(overlay)

    def _refresh_attract(self) -> None:
        self.attract_layer.ui = interface_strings(self.options.default_language)
        self.attract_layer.site_name = self.catalogue.site_name.get(self.options.default_language)
        self.attract_layer.set_languages([(c, LANGUAGE_NAMES.get(c, c)) for c in self.options.languages])

    def _show(self, overlay: Modal) -> None:
        overlay.ui = interface_strings(self.lang)
        if overlay.parent is None:
            self.add_widget(overlay)

    def _hide(self, overlay: Modal) -> None:
        if overlay.parent is not None:
            overlay.parent.remove_widget(overlay)

    def _tick(self, _dt: float) -> None:
        now = self._mono()
        self.admin.check_corner(now)
        state = self.idle.poll(now)
        if state.phase == "warning":
            self.idle_overlay.seconds_left = state.seconds_left
            if self.idle_overlay.parent is None:
                log.info("touch UI idle: countdown of %d s before reset", state.seconds_left)
                self._show(self.idle_overlay)
        elif state.phase == "reset":
            self.reset_to_attract("idle")
        elif self.idle_overlay.parent is not None:
            self._hide(self.idle_overlay)
        minute = self._now().minute
        if minute != self._minute:
            self._minute = minute
            if self.mode == "interactive" and self.place.screen == "home":
                self._render(self.place)  # the date line's clock

    # -- touches ---------------------------------------------------------------------------
    def on_touch_down(self, touch: object) -> bool:
        self.idle.touch(self._mono())
        self.admin.corner_down(touch, self.top)
        return super().on_touch_down(touch)

    def on_touch_move(self, touch: object) -> bool:
        self.idle.touch(self._mono())
        self.admin.corner_move(touch, self.top)
        return super().on_touch_move(touch)

    def on_touch_up(self, touch: object) -> bool:
        self.admin.corner_up(touch)
        return super().on_touch_up(touch)

"""The touch UI's root widget: navigation, language, themes, idle reset; the admin
gesture and overlay are its :class:`kiosk.touch.root_admin.AdminController`, the alerts
over every screen its :class:`kiosk.touch.root_alerts.AlertController`.

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
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
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
from player.render.images import ImageRejected, prepared_image

from .alerts import AlertsNow
from .catalogue import build_catalogue
from .details import DetailBuilder
from .idle import IdleTimer
from .list_pages import ListPages
from .look import LOOK
from .on_screen import TouchStatus
from .options import LANGUAGE_NAMES, TouchOptions
from .overlays import AttractLayer, IdleBoard, IdleOverlay, Modal
from .pages import CATEGORIES, PageBuilder
from .root_admin import AdminController
from .root_alerts import AlertController
from .screens import DetailScreen, HomeScreen, KioskScreen, ListScreen
from .speech import ReadAloud
from .theme import HIGH_CONTRAST, STANDARD, sizes_for
from .ui_text import interface_strings
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

    # -- navigation ----------------------------------------------------------------------
    def start_session(self, lang: str | None) -> None:
        if self.mode != "attract":
            return
        self.lang = lang if lang in self.options.languages else self.options.default_language
        self.mode = "interactive"
        self.sm.opacity, self.sm.disabled = 1, False
        if self.attract_layer.parent is not None:
            self._attract_slot.remove_widget(self.attract_layer)
        self.idle.start(self._mono())
        self.history.clear()
        self.alerts.session_started()  # the attract screen showed the full-screen alert
        self._refresh_alerts()
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
        screen.lang = self.lang
        screen.can_read = self.speech.available and self.options.read_aloud
        screen.reading = False
        if place.screen == "list":
            rows = self.list_pages.get(self.catalogue, self.lang, self._now(), place.category, place.filter)
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
            # While the visitor reads the home screen, its lists are built ahead, one a frame.
            self._ahead = [t.category for t in home.tiles]
            self._build_ahead()
        self.place = place
        self.sm.current = place.screen
        # At once (the first frame of a list shows its top, not where the last list was
        # scrolled), and again after layout (a ScrollView may clamp it while sizing).
        screen.set_scroll_position(place.scroll)
        Clock.schedule_once(lambda _dt: screen.set_scroll_position(place.scroll), -1)
        self.dispatch("on_screen_shown", place.screen)

    def _build_ahead_step(self, _dt: float = 0) -> None:
        if not self._ahead or self.mode != "interactive":
            return
        category = self._ahead.pop(0)
        if category not in CATEGORIES:
            return self._build_ahead()
        page = self.list_pages.get(self.catalogue, self.lang, self._now(), category)
        self.list_screen.prepare(page)
        self._build_ahead()

    def _image(self, sha: str) -> Path | None:
        """The page's image as the loop's slides get theirs: checked by header (format,
        pixel count), decoded once and downscaled to the screen (player.render.images);
        None when it is missing or refused (the page shows without it)."""
        if not sha or self.options.media_path is None:
            return None
        path = self.options.media_path(sha)
        if path is None or not path.is_file():
            log.info("image %s is not on this device yet; page shown without it", sha[:12])
            return None
        if self._derived is None:
            self._derived = self.options.derived_dir or Path(tempfile.mkdtemp(prefix="kiosk-pages-"))
        screen = (int(self.width), int(self.height)) if self.width > 1 else tuple(Window.size)
        try:
            return prepared_image(path, (screen[0], screen[1]), self._derived)
        except ImageRejected as e:
            log.warning("page image %s not shown: %s", sha[:12], e)
            return None

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
        # The screens under the attract layer are neither drawn nor touchable.
        self.sm.opacity, self.sm.disabled = 0, True
        if self.attract_layer.parent is None:
            self._attract_slot.add_widget(self.attract_layer)
        self._refresh_alerts()
        self._refresh_attract()
        self.dispatch("on_screen_shown", "attract")

    def _refresh_attract(self) -> None:
        lang = self.options.default_language
        self.attract_layer.ui = interface_strings(lang)
        self.attract_layer.lang = lang
        self.attract_layer.set_languages([(c, LANGUAGE_NAMES.get(c, c)) for c in self.options.languages])
        self._refresh_board()

    def _refresh_board(self) -> None:
        """Kiosk mode's idle board: the clock and the next events (each minute)."""
        if self._loop is None:
            lang = self.options.default_language
            self.idle_board.show(PageBuilder(self.catalogue, lang, self._now()).idle(), lang)

    def _show(self, overlay: Modal) -> None:
        overlay.ui = interface_strings(self.lang)
        if overlay.parent is None:
            self._dialog_slot.add_widget(overlay)

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
                self._render(self.place)  # the date line's clock (and the lists built ahead again)
            elif self.mode == "interactive":
                # The lists' opening statuses are the minute's: built again ahead, the list
                # being read first, so "back" and the next category stay one frame away.
                self._ahead = [self.place.category] + [c for c in CATEGORIES if c != self.place.category]
                self._build_ahead()
            elif self.mode == "attract":
                self._refresh_board()

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

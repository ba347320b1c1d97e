"""The touch root's navigation (a mixin of :class:`kiosk.touch.root.TouchRoot`): a session
starting, going from screen to screen with a history to go back through, drawing the screen
of a :class:`kiosk.touch.root_parts.Place` (its lists built ahead while the home screen is
read), the pages' images and reading a page aloud."""
from __future__ import annotations

import logging
import tempfile
from dataclasses import replace
from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window

from player.render.images import ImageRejected, prepared_image

from .details import DetailBuilder
from .options import LANGUAGE_NAMES
from .pages import CATEGORIES
from .root_parts import Place, RootParts
from .ui_text import interface_strings

log = logging.getLogger(__name__)


class Navigation(RootParts):
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

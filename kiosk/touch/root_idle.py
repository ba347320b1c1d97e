"""The touch root's idle and attract side (a mixin of :class:`kiosk.touch.root.TouchRoot`):
the idle countdown and the reset to the attract screen, the attract screen and kiosk
mode's idle board, the dialogs shown and hidden, and the tick that drives them (and
redraws what shows the minute)."""
from __future__ import annotations

import logging

from .options import LANGUAGE_NAMES
from .overlays import Modal
from .pages import CATEGORIES, PageBuilder
from .root_parts import Place, RootParts
from .ui_text import interface_strings

log = logging.getLogger(__name__)


class IdleAndAttract(RootParts):
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

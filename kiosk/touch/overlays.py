"""What covers the screens: the attract layer (and kiosk mode's idle board), the idle
countdown, the admin overlay.

Layouts in ``kv/attract.kv``, ``kv/idle.kv`` and ``kv/admin.kv``. Each overlay is modal:
it takes every touch while it is shown.
"""
from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from .admin import AdminInfo
from .pages import IdlePage, Row
from .widgets import Surface, TextBlock, TouchButton


class Modal(FloatLayout):
    controller = ObjectProperty(None)
    ui = DictProperty({})

    def on_touch_down(self, touch: object) -> bool:
        super().on_touch_down(touch)
        return True  # nothing under a dialog reacts

    def on_touch_move(self, touch: object) -> bool:
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch: object) -> bool:
        super().on_touch_up(touch)
        return True


class AttractLayer(FloatLayout):
    """The attract screen: a stage (the host's signage loop in hybrid mode; in kiosk mode
    the idle board, or a full-screen alert) under a "touch to start" band."""

    controller = ObjectProperty(None)
    ui = DictProperty({})
    lang = StringProperty("fr")
    band_y = NumericProperty(0.0)  # TouchOptions.attract_band_y
    # Kiosk mode: the stage fills what the alert strip (top_inset) and the band leave;
    # the signage loop (hybrid mode) fills the screen under its own bands.
    inset_stage = BooleanProperty(False)
    top_inset = NumericProperty(0)

    def set_stage(self, widget: Widget | None) -> None:
        stage = self.ids.stage
        if widget is not None and widget.parent is stage:
            return
        stage.clear_widgets()
        if widget is not None:
            if widget.parent is not None:
                widget.parent.remove_widget(widget)
            widget.size_hint, widget.pos_hint = (1, 1), {"x": 0, "y": 0}
            stage.add_widget(widget)

    @property
    def stage_widget(self) -> Widget | None:
        children = self.ids.stage.children
        return children[0] if children else None

    def set_languages(self, languages: list[tuple[str, str]]) -> None:
        row = self.ids.languages
        row.clear_widgets()
        for code, name in languages:
            b = TouchButton(text=name, tid=f"attract-lang-{code}", dark_band=True)
            b.bind(on_release=lambda _w, c=code: self.controller.start_session(c))
            row.add_widget(b)

    def on_touch_down(self, touch: Any) -> bool:  # a Kivy MotionEvent
        # A language button starts in that language; a touch anywhere else starts in the
        # default language. The signage loop underneath never sees the touch.
        for button in self.ids.languages.children:
            if button.collide_point(*touch.pos):
                return bool(button.on_touch_down(touch))
        self.controller.start_session(None)
        return True


class IdleEvent(Surface, BoxLayout):
    title = StringProperty("")
    detail = StringProperty("")
    lang = StringProperty("fr")


class IdleBoard(Surface, BoxLayout):
    """Kiosk mode's attract screen without a signage loop (:class:`IdlePage`)."""

    title = StringProperty("")
    date_line = StringProperty("")
    heading = StringProperty("")
    empty_text = StringProperty("")
    has_events = BooleanProperty(False)
    lang = StringProperty("fr")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._rows: tuple[Row, ...] = ()
        self._fit_rows = Clock.create_trigger(self._place_rows, -1)
        self.ids.body.bind(size=self._fit_rows)

    def show(self, page: IdlePage, lang: str) -> None:
        self.lang = lang
        self.title, self.date_line, self.heading, self.empty_text = (
            page.title, page.date_line, page.heading, page.empty_text)
        self.has_events = bool(page.events)
        self._rows = page.events
        self._place_rows()

    def _place_rows(self, *_: object) -> None:
        """As many of the next events as the board has room for (it never scrolls)."""
        from .look import LOOK

        body = self.ids.body
        room = body.height - body.padding[1] - body.padding[3] - self.ids.heading.height - body.spacing
        per = LOOK.font_title * 0.8 * 1.2 + LOOK.font_body * 1.1 * 1.2 + LOOK.pad * 3  # a row and its spacing
        rows = self._rows[:max(0, int(room // per))] if body.height > 1 else self._rows[:1]
        box = self.ids.events
        if [(w.title, w.detail) for w in reversed(box.children)] == [(r.title, r.detail) for r in rows]:
            return  # each minute: unchanged rows are not rebuilt
        box.clear_widgets()
        for row in rows:
            box.add_widget(IdleEvent(title=row.title, detail=row.detail, lang=self.lang))


class IdleOverlay(Modal):
    seconds_left = NumericProperty(0)


class PinPad(Modal):
    entered = StringProperty("")
    message = StringProperty("")

    def press(self, key: str) -> None:
        if key == "clear":
            self.entered = ""
        elif key == "ok":
            self.controller.submit_pin(self.entered)
            self.entered = ""
        elif len(self.entered) < 12:
            self.entered += key
            self.message = ""


class AdminPanel(Modal):
    lines = ListProperty([])  # (label, value) pairs
    actions = ListProperty([])  # (tid, label) of the host's actions
    status = StringProperty("")

    def show(self, info: AdminInfo | None, rows: list[tuple[str, str]], actions: list[tuple[str, str]]) -> None:
        box = self.ids.info
        box.clear_widgets()
        for label, value in rows:
            box.add_widget(TextBlock(text=f"{label}: {value}", role="overlay"))
        bar = self.ids.actions
        bar.clear_widgets()
        for tid, label in actions:
            b = TouchButton(text=label, tid=tid)
            b.bind(on_release=lambda _w, t=tid: self.controller.admin_action(t))
            bar.add_widget(b)

"""What covers the screens: the attract layer, the idle countdown, the admin overlay.

Layouts in ``kv/attract.kv``, ``kv/idle.kv`` and ``kv/admin.kv``. Each overlay is modal:
it takes every touch while it is shown.
"""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from .admin import AdminInfo
from .widgets import TextBlock, TouchButton


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
    """The host's attract widget (the signage loop) with a "touch to start" band."""

    controller = ObjectProperty(None)
    ui = DictProperty({})
    site_name = StringProperty("")
    has_stage = BooleanProperty(False)
    band_y = NumericProperty(0.0)  # TouchOptions.attract_band_y

    def set_stage(self, widget: Widget | None) -> None:
        stage = self.ids.stage
        stage.clear_widgets()
        self.has_stage = widget is not None
        if widget is not None:
            if widget.parent is not None:
                widget.parent.remove_widget(widget)
            stage.add_widget(widget)

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

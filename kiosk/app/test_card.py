"""The technician's test card (``kiosk show-test-card``), drawn above everything: the
loop's bands, the touch UI and its attract screen, its dialogs. Kivy side (imported after
kiosk.device.kivy_env.prepare_kivy)."""
from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock
from kivy.uix.widget import Widget

from player.render.slides import TestCardSlide


class TestCardOverlay:
    def __init__(self) -> None:
        self.card: TestCardSlide | None = None
        self._timer: object | None = None

    @property
    def shown(self) -> bool:
        return self.card is not None

    def show(self, top: Widget | None, resolution: str, version: str, seconds: float,
             then: Callable[[], None]) -> None:
        """Cover ``top`` (the picture's root) for ``seconds``; then remove it and call ``then``."""
        self.end()
        card = TestCardSlide(resolution, version, size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        if top is not None:
            top.add_widget(card)  # its last child: drawn last, on top of everything
        card.start()
        self.card = card

        def over(_dt: float) -> None:
            self.end()
            then()
        self._timer = Clock.schedule_once(over, seconds)

    def end(self) -> None:
        card, self.card = self.card, None
        if self._timer is not None:
            self._timer.cancel()  # type: ignore[attr-defined]  # a Kivy ClockEvent
            self._timer = None
        if card is not None:
            if card.parent is not None:
                card.parent.remove_widget(card)
            card.stop()

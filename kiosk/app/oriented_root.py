"""display.orientation: the player's whole picture turned on the panel, touches with it.

A portrait totem is often a landscape panel mounted a quarter turn. Kivy's own
``Window.rotation`` drew clipped under SDL's offscreen driver, so the player turns its
root itself: the root is laid out at the logical (turned) size and drawn through a
canvas transform, and touches go through the inverse transform on the way in (Kivy's
Scatter does both; grabbed touches follow through ``to_local``). Kivy side: imported after
kiosk.device.kivy_env.prepare_kivy.
"""
from __future__ import annotations

import logging
from math import radians

from kivy.core.window import Window
from kivy.graphics.transformation import Matrix
from kivy.uix.scatter import Scatter
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)

ORIENTATIONS = (0, 90, 180, 270)


def logical_size(window_size: tuple[int, int], degrees: int) -> tuple[int, int]:
    """The size the UI lays out for: width and height swapped at 90 and 270."""
    w, h = window_size
    return (h, w) if degrees in (90, 270) else (w, h)


def orientation_matrix(window_size: tuple[int, int], degrees: int) -> Matrix:
    """Logical → window coordinates: turned ``degrees`` counterclockwise about the
    centres, as Kivy's ``Window.rotation`` does (90: the logical top is on the window's
    left edge, for a panel mounted a quarter turn clockwise)."""
    w, h = window_size
    lw, lh = logical_size(window_size, degrees)
    return (Matrix().translate(w / 2, h / 2, 0)
            .multiply(Matrix().rotate(radians(degrees), 0, 0, 1))
            .multiply(Matrix().translate(-lw / 2, -lh / 2, 0)))


class OrientedRoot(Scatter):
    """Holds the app's root widget at the logical size, drawn turned by ``degrees``."""

    def __init__(self, content: Widget, degrees: int) -> None:
        if degrees not in ORIENTATIONS:
            raise ValueError(f"orientation {degrees!r} is not one of 0, 90, 180, 270")
        # The user never moves, turns or zooms the screen.
        super().__init__(do_rotation=False, do_scale=False, do_translation=False,
                         auto_bring_to_front=False, size_hint=(None, None))
        self.degrees = degrees
        self.content = content
        content.size_hint = (None, None)
        content.pos = (0, 0)
        self.add_widget(content)
        Window.bind(size=self._fit)
        self._fit()

    def _fit(self, *_: object) -> None:
        win = (int(Window.width), int(Window.height))
        self.size = self.content.size = logical_size(win, self.degrees)
        self.transform = orientation_matrix(win, self.degrees)

"""What the scenario runner and the harness app share: the clocks a scenario moves and
the key codes its ``key`` steps name. No Kivy here."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

DEFAULT_NOW = "2026-11-26T09:30:00+00:00"  # Thursday 10:30 in Valbruyère
KEYS = {"escape": 27, "f1": 282, "f4": 285, "q": 113, "w": 119, "enter": 13}


class FakeClocks:
    """Monotonic and wall clocks the scenario moves forward with ``advance``."""

    def __init__(self, wall: datetime) -> None:
        self._real = time.monotonic
        self._start = time.monotonic()
        self._offset = 0.0
        self._wall = wall

    def monotonic(self) -> float:
        return self._real() + self._offset

    def now(self) -> datetime:
        return self._wall + timedelta(seconds=self._real() - self._start + self._offset)

    def advance(self, seconds: float) -> None:
        self._offset += seconds

"""When to ask "Still there?" and when to reset: a pure state machine on monotonic time."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MIN_COUNTDOWN_S = 20.0  # the floor: a visible countdown of at least 20 s


@dataclass(frozen=True)
class IdleState:
    phase: Literal["attract", "active", "warning", "reset"]
    seconds_left: int = 0  # during "warning": whole seconds before the reset


class IdleTimer:
    """``touch()`` on each interaction; ``poll()`` says what the screen should show.

    ``poll()`` returns "reset" once, then the timer is back in "attract" until the next
    ``start()``.
    """

    def __init__(self, timeout_s: float, countdown_s: float) -> None:
        if timeout_s <= 0:
            raise ValueError("the idle timeout must be positive")
        self.timeout_s = timeout_s
        self.countdown_s = max(MIN_COUNTDOWN_S, countdown_s)
        self._last = 0.0
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    def start(self, now: float) -> None:
        self._active = True
        self._last = now

    def touch(self, now: float) -> None:
        if self._active:
            self._last = now

    def stop(self) -> None:
        self._active = False

    def poll(self, now: float) -> IdleState:
        if not self._active:
            return IdleState("attract")
        idle = now - self._last
        if idle < self.timeout_s:
            return IdleState("active")
        left = self.timeout_s + self.countdown_s - idle
        if left > 0:
            return IdleState("warning", int(left + 0.999))
        self._active = False
        return IdleState("reset")

    def seconds_to_attract(self, now: float) -> float | None:
        """Seconds before the screen goes back to the attract screen (None: it is there)."""
        if not self._active:
            return None
        return max(0.0, self.timeout_s + self.countdown_s - (now - self._last))

"""Keep a passer-by inside the kiosk: no Escape, no F1 settings, no window close, no cursor.

Call :func:`lock_window` once the App runs (``on_start``). Kivy's App binds its own F1
handler when it starts, and Kivy calls the handler bound last first, so the lock binds
on the next frame, after the App's; it also neuters ``open_settings`` in case.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.base import EventLoop
from kivy.clock import Clock

log = logging.getLogger(__name__)

KEY_ESCAPE, KEY_F1 = 27, 282


def disable_multitouch_emulation() -> int:
    """Stop every mouse provider from drawing the red multitouch dots; returns how many."""
    count = 0
    for provider in getattr(EventLoop, "input_providers", []) or []:
        if hasattr(provider, "disable_multitouch"):
            provider.disable_multitouch = True
            count += 1
    return count


def lock_window(window: Any, app: Any | None = None) -> Callable[[], None]:
    """Lock ``window`` (Kivy's Window) down; the returned function undoes it."""

    def refuse_close(*_args: object, **kwargs: object) -> bool:
        log.info("window close request ignored (source: %s)", kwargs.get("source", "window manager"))
        return True

    def swallow_keys(_window: object, key: int, *_args: object) -> bool:
        # Every key: a kiosk has no keyboard, and a plugged-in one must not steer it.
        if key in (KEY_ESCAPE, KEY_F1):
            log.info("key %d ignored (kiosk lockdown)", key)
        return True

    def bind(_dt: float = 0) -> None:
        window.bind(on_request_close=refuse_close, on_keyboard=swallow_keys)

    window.show_cursor = False
    if app is not None:
        app.use_kivy_settings = False
        app.open_settings = lambda *_a, **_k: False
    disable_multitouch_emulation()
    event = Clock.schedule_once(bind, 0)

    def unlock() -> None:
        event.cancel()
        window.unbind(on_request_close=refuse_close, on_keyboard=swallow_keys)
        window.show_cursor = True

    return unlock

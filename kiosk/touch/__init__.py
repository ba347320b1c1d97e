"""The touch kiosk for passers-by: services and opening hours, menus, agenda, alerts…

Runs inside the player process (``kiosk player`` in kiosk and hybrid modes, hosted by
:mod:`kiosk.app.touch_layer`), and in the test harness's processes (:mod:`kiosk.touch.testing`).
Pure-Python modules (``hours``, ``calendar``, ``catalogue``, ``pages``, ``details``,
``theme``, ``idle``, ``admin``, ``speech``, ``qr``) import no Kivy. The Kivy side is
imported only by :func:`build_touch_root`, after the host configured Kivy
(``kiosk.device.kivy_env.prepare_kivy``).

Host integration::

    root = build_touch_root(content, attract=stage_widget, options=TouchOptions(...), now=utcnow)
    root.bind(on_session_start=lambda _w, lang: pause_loop(),
              on_attract=lambda _w, reason: resume_loop())
    root.set_content(new_live_content)        # when the cache has a new version
    lock_window(Window, app)                  # in App.on_start, kiosk and hybrid modes
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .admin import AdminActions, AdminInfo, SyncSummary, last_sync_from_records, make_pin_hash, verify_pin
from .options import TouchOptions

if TYPE_CHECKING:
    from content_cache import LiveContent

__all__ = [
    "AdminActions",
    "AdminInfo",
    "SyncSummary",
    "TouchOptions",
    "build_touch_root",
    "last_sync_from_records",
    "lock_window",
    "make_pin_hash",
    "verify_pin",
]

KV_DIR = Path(__file__).resolve().parent / "kv"
KV_FILES = ("widgets.kv", "home.kv", "list.kv", "detail.kv", "attract.kv", "idle.kv", "admin.kv")
_kv_loaded = False


def load_kv() -> None:
    """Load the .kv rules once per process (not at import time)."""
    global _kv_loaded
    if _kv_loaded:
        return
    from kivy.lang import Builder

    from . import overlays, screens, widgets  # noqa: F401 - register the classes the rules name

    for name in KV_FILES:
        Builder.load_file(str(KV_DIR / name))
    _kv_loaded = True


def build_touch_root(
    content: LiveContent | None,
    attract: Any | None,
    options: TouchOptions,
    now: Callable[[], datetime],
    *,
    monotonic: Callable[[], float] = time.monotonic,
) -> Any:
    """The touch UI's root widget (a :class:`kiosk.touch.root.TouchRoot`), on the attract screen.

    ``content``: the live content (None before the first sync). ``attract``: the widget
    shown until someone touches the screen (the signage loop in hybrid mode; None shows
    the town's name). ``now``: tz-aware wall clock. ``monotonic``: seconds, for the idle
    countdown and the admin gesture (tests pass a clock they move).
    """
    load_kv()
    from kivy.metrics import Metrics

    from .root import TouchRoot

    return TouchRoot(content, attract, options, now, monotonic, dpi=float(Metrics.dpi))


def lock_window(window: Any, app: Any | None = None) -> Callable[[], None]:
    """See :func:`kiosk.touch.lockdown.lock_window` (imported lazily: it needs Kivy)."""
    from .lockdown import lock_window as _lock

    return _lock(window, app)

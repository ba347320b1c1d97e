"""Playback: what plays when, and the Kivy renderers that show it.

Run in the player process (``kiosk player``, also ``kiosk preview`` and ``kiosk demo``);
``kiosk status`` asks the same engine why an item plays, ``kiosk report`` and the hub's
publisher use the election-period policy (:mod:`player.neutrality`). The schedule engine
(:mod:`player.engine`, with the compiled item rules in :mod:`player.item_rules`), the
rotation through its loop (:mod:`player.rotation`) and slide durations
(:mod:`player.schedule`) are pure Python, no Kivy; the renderers (:mod:`player.render`)
are imported only once the application has configured Kivy.
"""
from .engine import Alert, ClockPolicy, NowPlaying, PlayReason, ScheduleEngine
from .rotation import Rotation
from .schedule import (
    ALERT_SLIDE_PREFIX,
    DurationLimits,
    alert_id_of,
    alert_item,
    alert_slide_id,
    is_alert_slide,
    slide_seconds,
)

__all__ = [
    "ALERT_SLIDE_PREFIX",
    "Alert",
    "ClockPolicy",
    "DurationLimits",
    "NowPlaying",
    "PlayReason",
    "Rotation",
    "ScheduleEngine",
    "alert_id_of",
    "alert_item",
    "alert_slide_id",
    "is_alert_slide",
    "slide_seconds",
]

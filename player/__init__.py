"""Playback: a pure-Python schedule engine (``player.engine``, with the app's older
entry points in ``player.schedule``) and Kivy slide renderers (``player.render.slides``,
imported only once the application has configured Kivy)."""
from .engine import Alert, ClockPolicy, NowPlaying, PlayReason, ScheduleEngine
from .schedule import DurationLimits, PlayPlan, Rotation, plan_playlist, slide_seconds

__all__ = [
    "Alert",
    "ClockPolicy",
    "DurationLimits",
    "NowPlaying",
    "PlayPlan",
    "PlayReason",
    "Rotation",
    "ScheduleEngine",
    "plan_playlist",
    "slide_seconds",
]

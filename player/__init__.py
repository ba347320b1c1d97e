"""Playback: a pure-Python schedule engine (``player.schedule``) and Kivy slide renderers
(``player.slides``, imported only once the application has configured Kivy)."""
from .schedule import DurationLimits, PlayPlan, Rotation, plan_playlist, slide_seconds

__all__ = ["DurationLimits", "PlayPlan", "Rotation", "plan_playlist", "slide_seconds"]

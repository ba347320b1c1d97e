"""Slides the player shows: how long each stays up, and the slide a full-screen alert
becomes. Pure Python, no Kivy.

What plays when is the engine's answer (:class:`player.engine.ScheduleEngine`); the loop
is walked by :class:`player.rotation.Rotation`.

A full-screen alert is shown as a bulletin slide whose id is the alert's id with
:data:`ALERT_SLIDE_PREFIX` in front (:func:`alert_slide_id`); the player and its status
line tell such a slide from a playlist item with :func:`is_alert_slide`, and find the
alert it shows with :func:`alert_id_of`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from content_cache import ItemData

from .engine import Alert

__all__ = [
    "ALERT_SLIDE_PREFIX",
    "DEFAULT_BULLETIN_SECONDS",
    "DEFAULT_IMAGE_SECONDS",
    "MAX_VIDEO_SECONDS",
    "DurationLimits",
    "alert_id_of",
    "alert_item",
    "alert_slide_id",
    "is_alert_slide",
    "poster_seconds",
    "slide_seconds",
]

DEFAULT_IMAGE_SECONDS = 10.0
DEFAULT_BULLETIN_SECONDS = 12.0
# A video without a given duration plays to its end, but never longer than this.
MAX_VIDEO_SECONDS = 600.0
# The id of an alert's slide is this, then the alert's (bulletin's) id.
ALERT_SLIDE_PREFIX = "alert-"


@dataclass(frozen=True)
class DurationLimits:
    """Bounds every slide duration is clamped to (a bad value must not freeze a screen)."""

    minimum: float = 2.0
    maximum: float = 300.0

    def clamp(self, value: float) -> float:
        return min(max(value, self.minimum), self.maximum)


def alert_slide_id(alert_id: str) -> str:
    """The slide id under which the alert ``alert_id`` is shown."""
    return f"{ALERT_SLIDE_PREFIX}{alert_id}"


def is_alert_slide(slide_id: str | None) -> TypeGuard[str]:
    """True if ``slide_id`` is an alert's slide (:func:`alert_slide_id`), not a playlist item."""
    return slide_id is not None and slide_id.startswith(ALERT_SLIDE_PREFIX)


def alert_id_of(slide_id: str | None) -> str | None:
    """The id of the alert the slide ``slide_id`` shows; None if it is not an alert's slide."""
    return slide_id[len(ALERT_SLIDE_PREFIX):] if is_alert_slide(slide_id) else None


def alert_item(alert: Alert) -> ItemData:
    """A bulletin slide showing ``alert`` full screen."""
    return ItemData(id=alert_slide_id(alert.id), kind="bulletin", position=-1, duration_s=None,
                    bulletin=alert.bulletin)


def slide_seconds(item: ItemData, limits: DurationLimits) -> float:
    """How long a slide stays up; videos without a duration return the video cap."""
    if item.duration_s is not None:
        return limits.clamp(float(item.duration_s))
    if item.kind == "video":
        if item.media and item.media.duration_s:
            return limits.clamp(item.media.duration_s)
        return MAX_VIDEO_SECONDS
    return limits.clamp(DEFAULT_BULLETIN_SECONDS if item.kind == "bulletin" else DEFAULT_IMAGE_SECONDS)


def poster_seconds(item: ItemData, limits: DurationLimits) -> float:
    """How long the poster card of a video that cannot play stays up: an image's slot (the
    default image duration, or the item's own duration when shorter), within ``limits`` —
    never the video cap, which would stall the loop on a card."""
    seconds = limits.clamp(DEFAULT_IMAGE_SECONDS)
    if item.duration_s is not None:
        seconds = min(seconds, limits.clamp(float(item.duration_s)))
    return seconds

"""What plays now, and until when that answer holds. Pure Python, no Kivy.

The engine itself is :class:`player.engine.ScheduleEngine`; this module keeps the small
API the player app was written against (``plan_playlist``, ``PlayPlan``, ``Rotation``,
``slide_seconds``) working on top of it, and holds slide durations.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from content_cache import ItemData, LiveContent

from .engine import FULLSCREEN, Alert, NowPlaying, ScheduleEngine
from .rotation import Rotation

__all__ = [
    "DEFAULT_BULLETIN_SECONDS",
    "DEFAULT_IMAGE_SECONDS",
    "MAX_VIDEO_SECONDS",
    "DurationLimits",
    "PlayPlan",
    "Rotation",
    "alert_item",
    "plan_playlist",
    "poster_seconds",
    "slide_seconds",
]

DEFAULT_IMAGE_SECONDS = 10.0
DEFAULT_BULLETIN_SECONDS = 12.0
# A video without a given duration plays to its end, but never longer than this.
MAX_VIDEO_SECONDS = 600.0


@dataclass(frozen=True)
class DurationLimits:
    """Bounds every slide duration is clamped to (a bad value must not freeze a screen)."""

    minimum: float = 2.0
    maximum: float = 300.0

    def clamp(self, value: float) -> float:
        return min(max(value, self.minimum), self.maximum)


@dataclass(frozen=True)
class PlayPlan:
    """The ordered items to play at ``now``; the answer holds until ``valid_until``.

    The flat view of a :class:`~player.engine.NowPlaying` for a player that knows only a
    loop of slides: alerts become bulletin slides (see :func:`plan_playlist`).
    ``answer`` is the full engine answer, when there is one.
    """

    items: tuple[ItemData, ...]
    valid_until: datetime | None
    playlist_id: str | None
    answer: NowPlaying | None = None


# One engine for the module-level API, so the clock's trust transitions are logged once.
_ENGINE = ScheduleEngine()


def plan_playlist(content: LiveContent, now: datetime, playlist_id: str | None = None) -> PlayPlan:
    """Items of the playlist (default: the site's) to play at ``now``, as one loop.

    Full-screen alerts replace the loop; banner alerts (which a loop cannot overlay) are
    played first in it. The display language is the site's first. New code should call
    :meth:`ScheduleEngine.now_playing` and render alerts itself.
    """
    answer = _ENGINE.now_playing(content, now, playlist_id=playlist_id)
    fullscreen = [a for a in answer.alerts if a.mode == FULLSCREEN]
    if fullscreen:
        items = tuple(alert_item(a) for a in fullscreen)
    else:
        items = tuple(alert_item(a) for a in answer.alerts) + answer.items
    return PlayPlan(items, answer.valid_until, answer.playlist_id, answer)


def alert_item(alert: Alert) -> ItemData:
    """A bulletin slide showing ``alert`` (for players without an alert layer)."""
    return ItemData(id=f"alert-{alert.id}", kind="bulletin", position=-1, duration_s=None,
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

"""What plays now, and until when that answer holds. Pure Python, no Kivy.

The engine takes the live content and a tz-aware ``now``; it never reads the clock
itself, so tests fix time and the player asks again only at the returned deadline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from content_cache import ItemData, LiveContent

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
    """The ordered items playable at ``now``; the answer holds until ``valid_until``."""

    items: tuple[ItemData, ...]
    valid_until: datetime | None
    playlist_id: str | None


def _active(start: datetime | None, end: datetime | None, now: datetime) -> bool:
    return (start is None or start <= now) and (end is None or now < end)


def item_is_active(item: ItemData, now: datetime) -> bool:
    if not _active(item.valid_from, item.valid_until, now):
        return False
    b = item.bulletin
    return b is None or _active(b.valid_from, b.valid_until, now)


def _boundaries(item: ItemData) -> list[datetime]:
    out = [t for t in (item.valid_from, item.valid_until) if t]
    if item.bulletin:
        out += [t for t in (item.bulletin.valid_from, item.bulletin.valid_until) if t]
    return out


def plan_playlist(content: LiveContent, now: datetime, playlist_id: str | None = None) -> PlayPlan:
    """Items of the playlist (default: the site's) that may play at ``now``."""
    if now.tzinfo is None:
        raise ValueError("plan_playlist needs a tz-aware now")
    playlist = content.playlist(playlist_id)
    if playlist is None:
        return PlayPlan((), None, None)
    items = tuple(i for i in playlist.items if item_is_active(i, now))
    future = [t for i in playlist.items for t in _boundaries(i) if t > now]
    return PlayPlan(items, min(future) if future else None, playlist.id)


def slide_seconds(item: ItemData, limits: DurationLimits) -> float:
    """How long a slide stays up; videos without a duration return the video cap."""
    if item.duration_s is not None:
        return limits.clamp(float(item.duration_s))
    if item.kind == "video":
        if item.media and item.media.duration_s:
            return limits.clamp(item.media.duration_s)
        return MAX_VIDEO_SECONDS
    return limits.clamp(DEFAULT_BULLETIN_SECONDS if item.kind == "bulletin" else DEFAULT_IMAGE_SECONDS)


class Rotation:
    """Cycles through a plan; a new plan continues after the item on screen."""

    def __init__(self) -> None:
        self._plan: PlayPlan = PlayPlan((), None, None)
        self._last_id: str | None = None

    @property
    def plan(self) -> PlayPlan:
        return self._plan

    def set_plan(self, plan: PlayPlan) -> None:
        self._plan = plan

    def next_item(self) -> ItemData | None:
        items = self._plan.items
        if not items:
            self._last_id = None
            return None
        ids = [i.id for i in items]
        idx = (ids.index(self._last_id) + 1) % len(items) if self._last_id in ids else 0
        self._last_id = items[idx].id
        return items[idx]

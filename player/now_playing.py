"""The schedule engine's answer: the frozen :class:`NowPlaying` and its alerts.

What the player, the touch kiosk and ``kiosk status`` read of the engine
(:mod:`player.engine`): the loop's items, the alerts over or instead of it (and how a
bulletin shows as one, :func:`alert_mode`), the deadline until which the answer holds,
and a human name for an item (:func:`item_label`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from content_cache import BulletinData, ItemData

from .neutrality import ReservePeriod, Withheld
from .play_reason import PlayReason

SEVERITY_RANK = {"critical": 2, "warning": 1, "info": 0}
FULLSCREEN, BANNER = "fullscreen", "banner"


@dataclass(frozen=True)
class Alert:
    """An active alert; ``fullscreen`` pre-empts the loop, ``banner`` goes over it."""

    bulletin: BulletinData
    mode: str

    @property
    def id(self) -> str:
        return self.bulletin.id

    @property
    def severity(self) -> str:
        return self.bulletin.severity


def alert_mode(bulletin: BulletinData) -> str | None:
    """How a bulletin shows as an alert: its ``alert`` field, else fullscreen if critical."""
    if bulletin.alert:
        return bulletin.alert
    return FULLSCREEN if bulletin.severity == "critical" else None


@dataclass(frozen=True)
class NowPlaying:
    """The engine's answer for ``computed_at``; it holds until ``valid_until``.

    ``items`` is the loop (highest playable priority tier only, weights expanded and
    interleaved); ``alerts`` are separate, most severe first, and their bulletins never
    appear in ``items``. ``fallback``: nothing to play and no full-screen alert — show
    the town's name, date and time, never a black screen.

    ``valid_until`` is in UTC on purpose: Python compares two datetimes of the SAME zone
    by wall time, which orders instants wrongly during the repeated autumn hour.
    """

    items: tuple[ItemData, ...]
    alerts: tuple[Alert, ...]
    fallback: bool
    valid_until: datetime
    computed_at: datetime
    clock_trusted: bool
    playlist_id: str | None
    priority: int | None
    _explain: Callable[[str], PlayReason | None] = field(compare=False, repr=False, default=lambda _id: None)
    # The election reserve period in force, and the items it keeps off the loop now.
    reserve: ReservePeriod | None = None
    withheld: tuple[Withheld, ...] = ()

    @property
    def fullscreen_alert(self) -> Alert | None:
        return next((a for a in self.alerts if a.mode == FULLSCREEN), None)

    @property
    def banner_alerts(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.mode == BANNER)

    def reason(self, item_id: str) -> PlayReason | None:
        """Why ``item_id`` plays (None if it is not in ``items``)."""
        return self._explain(item_id)

    def holds(self, now: datetime) -> bool:
        """True while this answer is still the answer: not past its deadline, and the
        clock has not gone backwards before the instant it was computed for."""
        now = now.astimezone(UTC)
        return self.computed_at.astimezone(UTC) <= now < self.valid_until


def item_label(item: ItemData) -> str:
    """A human name for reports: caption, else bulletin title, else media file name."""
    if item.caption:
        return item.caption.get("fr")
    if item.bulletin is not None:
        return item.bulletin.title.get("fr")
    return item.media.name if item.media is not None else ""

"""Why an item is on screen: :class:`PlayReason`, built on demand (``kiosk status``).

The engine's answer carries an explainer (:class:`_Explainer`) rather than a reason per
item: most answers are never asked why.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from content_cache import WEEKDAY_NAMES, DayPart

from .item_rules import CompiledPlaylist, LocalDay, evaluate
from .localtime import NEVER, from_us


@dataclass(frozen=True)
class PlayReason:
    """Why an item is on screen (for ``kiosk status``)."""

    item_id: str
    priority: int
    clock_trusted: bool
    valid_from: datetime | None = None  # the item's window met with its bulletin's
    valid_until: datetime | None = None
    weekdays: tuple[str, ...] = ()
    daypart: DayPart | None = None  # the day-part that is on now
    daypart_day: date | None = None  # the local day that day-part started on
    skip_holidays: bool = False
    skip_dates: int = 0
    weight: int = 1
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = [f"priority {self.priority}"]
        if not self.clock_trusted:
            parts.append("no time rule (clock not trusted)")
        if self.valid_from:
            parts.append(f"from {self.valid_from:%Y-%m-%d %H:%M}")
        if self.valid_until:
            parts.append(f"until {self.valid_until:%Y-%m-%d %H:%M}")
        if self.weekdays:
            parts.append("on " + ",".join(self.weekdays))
        if self.daypart:
            parts.append(f"day-part {self.daypart} of {self.daypart_day:%a %Y-%m-%d}")
        if self.skip_holidays:
            parts.append("not on holidays")
        if self.skip_dates:
            parts.append(f"{self.skip_dates} skipped date(s)")
        if self.weight > 1:
            parts.append(f"weight {self.weight}")
        if self.languages:
            parts.append("languages " + ",".join(self.languages))
        if self.tags:
            parts.append("tags " + ",".join(self.tags))
        if len(parts) == 1:
            parts.append("always")
        return "; ".join(parts)


class _Explainer:
    """Builds a :class:`PlayReason` on demand: most answers are never asked why."""

    def __init__(self, pl: CompiledPlaylist | None, tier: list[int], day: LocalDay | None,
                 trusted: bool, tz: ZoneInfo) -> None:
        self._pl, self._tier, self._day = pl, tier, day
        self._trusted, self._tz = trusted, tz

    def __call__(self, item_id: str) -> PlayReason | None:
        pl = self._pl
        if pl is None:
            return None
        i = next((i for i in self._tier if pl.items[i].id == item_id), None)
        if i is None:
            return None
        item = pl.items[i]
        part, part_day = None, None
        r = pl.rule[i]
        if r >= 0 and self._day is not None:
            state = evaluate(pl.rules[r], self._day)
            part = pl.day_part(i, state)
            if part is not None:
                part_day = self._day.day - timedelta(days=1 if state.started_yesterday else 0)
        start, end = pl.start[i], pl.end[i]
        return PlayReason(
            item_id=item.id,
            priority=item.priority,
            clock_trusted=self._trusted,
            valid_from=from_us(start, self._tz) if start > -NEVER else None,
            valid_until=from_us(end, self._tz) if end < NEVER else None,
            weekdays=tuple(WEEKDAY_NAMES[d] for d in sorted(item.weekdays)),
            daypart=part,
            daypart_day=part_day,
            skip_holidays=item.skip_holidays,
            skip_dates=len(item.skip_dates),
            weight=item.weight,
            languages=tuple(sorted(item.languages)),
            tags=tuple(sorted(item.tags)),
        )

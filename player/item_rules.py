"""Items' scheduling rules compiled once per content version, evaluated per call.

(Not to be confused with :mod:`player.neutrality.rules`, the election-period policy.)

An item plays at ``now`` when all of these hold:

- ``now`` is inside its validity window, and inside its bulletin's (both end-exclusive);
- its day rule lets it play: the local day is one of its weekdays, not one of its
  ``skip_dates``, not a site holiday if it has ``skip_holidays``; and, if it has
  day-parts, ``now`` is inside one of them. An overnight day-part (22:00 → 06:00)
  belongs to the day it starts on: Friday's 22:00 → 06:00 plays until Saturday 06:00
  even for a Friday-only item, and a Friday holiday cancels it;
- the display language and the screen's tag filters accept it (static per call).

Evaluation keeps to integers (µs instants, minutes, date ordinals) because it runs for
every item on every call; see ``bench/engine_bench.py``.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from content_cache import DayPart, ItemData, PlaylistData

from .localtime import NEVER, from_us, offset_change_us, to_us, wall_edge_us

ALL_DAYS = 0b1111111


@dataclass(frozen=True)
class DayRule:
    """The wall-clock part of an item's rules (weekdays, skipped dates, day-parts)."""

    weekmask: int  # bit d set: plays on weekday d (0 = Monday)
    parts: tuple[tuple[int, int], ...]  # (from, to) in minutes; to < from runs overnight
    skip: frozenset[int]  # date ordinals
    skip_holidays: bool

    @classmethod
    def of(cls, item: ItemData) -> DayRule | None:
        """The item's day rule, or None when it plays at any hour of any day."""
        mask = sum(1 << d for d in item.weekdays) if item.weekdays else ALL_DAYS
        rule = cls(mask, tuple((p.start, p.end) for p in item.dayparts),
                   frozenset(d.toordinal() for d in item.skip_dates), item.skip_holidays)
        trivial = mask == ALL_DAYS and not rule.parts and not rule.skip and not rule.skip_holidays
        return None if trivial else rule

    def plays_on(self, ordinal: int, weekday: int, holidays: frozenset[int]) -> bool:
        return bool(
            (self.weekmask >> weekday) & 1
            and ordinal not in self.skip
            and not (self.skip_holidays and ordinal in holidays)
        )


class LocalDay:
    """What one call needs to know about the local day around ``now``.

    Within ``[now, horizon)`` the local date and UTC offset stay the same, so every day
    rule changes only at one of its own edges of today; the horizon itself (next local
    midnight, or an earlier offset change) is a deadline for any item with a day rule.
    """

    __slots__ = ("now_us", "tz", "day", "ordinal", "weekday", "holidays", "horizon", "_edges")

    def __init__(self, now_us: int, tz: ZoneInfo, holidays: frozenset[int]) -> None:
        self.now_us = now_us
        self.tz = tz
        self.day: date = from_us(now_us, tz).date()
        self.ordinal = self.day.toordinal()
        self.weekday = self.day.weekday()
        self.holidays = holidays
        midnight = wall_edge_us(self.day + timedelta(days=1), 0, tz)
        if midnight <= now_us:  # a zone whose clocks fall back across midnight
            midnight = wall_edge_us(self.day + timedelta(days=2), 0, tz)
        change = offset_change_us(now_us, midnight, tz)
        self.horizon = min(midnight, change) if change is not None else midnight
        self._edges: dict[int, int] = {}

    def edge(self, minute: int) -> int:
        """Instant (µs) at which today's wall clock first reads ``minute``."""
        us = self._edges.get(minute)
        if us is None:
            us = self._edges[minute] = wall_edge_us(self.day, minute, self.tz)
        return us


@dataclass(frozen=True)
class DayRuleState:
    """A day rule at ``now``: on or off, until when at most, and which day-part is on."""

    on: bool
    next_edge_us: int
    part: int = -1  # index of the day-part that is on; -1: none / the item has none
    started_yesterday: bool = False


@dataclass(frozen=True)
class DaySteps:
    """A day rule over one local day as a step function: ``on[k]`` from ``edges[k]``.

    Built once per rule and local day (it does not depend on ``now``), then each call
    is a bisection.
    """

    edges: tuple[int, ...]
    on: tuple[bool, ...]

    @classmethod
    def build(cls, rule: DayRule, t: LocalDay) -> DaySteps:
        today_ok = rule.plays_on(t.ordinal, t.weekday, t.holidays)
        if not rule.parts:
            return cls((-NEVER,), (today_ok,))
        yesterday_ok = rule.plays_on(t.ordinal - 1, (t.weekday - 1) % 7, t.holidays)
        spans: list[tuple[int, int]] = []
        for start, end in rule.parts:
            if start < end:
                if today_ok:
                    spans.append((t.edge(start), t.edge(end)))
                continue
            if yesterday_ok:  # yesterday's overnight run ends today
                spans.append((-NEVER, t.edge(end)))
            if today_ok:  # today's runs past midnight
                spans.append((t.edge(start), NEVER))
        merged: list[list[int]] = []
        for s, e in sorted(sp for sp in spans if sp[0] < sp[1]):  # a span inside a DST gap is empty
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        edges, on = [-NEVER], [False]
        for s, e in merged:
            if s == -NEVER:
                on[0] = True
            else:
                edges.append(s)
                on.append(True)
            if e < NEVER:
                edges.append(e)
                on.append(False)
        return cls(tuple(edges), tuple(on))

    def at(self, now_us: int, horizon: int) -> tuple[bool, int]:
        """(on at ``now_us``, next edge after it — at most ``horizon``)."""
        k = bisect_right(self.edges, now_us) - 1
        nxt = self.edges[k + 1] if k + 1 < len(self.edges) else horizon
        return self.on[k], min(nxt, horizon)


def evaluate(rule: DayRule, t: LocalDay) -> DayRuleState:
    """The rule at ``t.now_us``, naming the day-part that is on (used to explain)."""
    now, nxt = t.now_us, t.horizon
    today_ok = rule.plays_on(t.ordinal, t.weekday, t.holidays)
    if not rule.parts:
        return DayRuleState(today_ok, nxt)
    on, which, from_yesterday = False, -1, False
    yesterday_ok: bool | None = None
    for k, (start, end) in enumerate(rule.parts):
        if start < end:
            if today_ok:
                s, e = t.edge(start), t.edge(end)
                if now < s:
                    nxt = min(nxt, s)
                elif now < e:
                    nxt = min(nxt, e)
                    if not on:
                        on, which = True, k
            continue
        # Overnight: yesterday's run ends today at `end`, today's starts at `start`.
        if yesterday_ok is None:
            yesterday_ok = rule.plays_on(t.ordinal - 1, (t.weekday - 1) % 7, t.holidays)
        if yesterday_ok:
            e = t.edge(end)
            if now < e:
                nxt = min(nxt, e)
                if not on:
                    on, which, from_yesterday = True, k, True
        if today_ok:
            s = t.edge(start)
            if now < s:
                nxt = min(nxt, s)
            elif not on:
                on, which = True, k
    return DayRuleState(on, nxt, which, from_yesterday)


def interleave(weights: Sequence[int]) -> list[int]:
    """Indices in loop order: index ``j`` appears ``weights[j]`` times, evenly spread.

    Item ``j`` of ``n`` first comes at ``(j + 0.5) / n`` of the first ``1 / weight`` of the
    loop, then every ``1 / weight`` after that. Equal weights keep the playlist order; a
    weight-2 item comes back half a loop later. Keys are exact integers (no float ties
    that could differ between devices); a tie goes to the lighter item, then the earlier.
    """
    n = len(weights)
    if not n or max(weights) == 1:
        return list(range(n))
    # One pass per distinct weight (there are few) is cheaper than a dict append per item.
    groups = {w: [j for j, x in enumerate(weights) if x == w] for w in set(weights)}
    # Copy k of item j sits at (2(kn + j) + 1) / (2nw) of the loop. Scaled by the weights'
    # common multiple that is an integer; packed with the tie-breakers (weight, then j)
    # into ONE int, linear in j within a (weight, copy) group: sorting plain ints built
    # by one multiply-add each is what keeps a 10,000-item weighted loop fast.
    common = math.lcm(*groups)
    span = max(groups) + 1
    slots: list[int] = []
    for w, js in groups.items():
        step = common // w
        a = 2 * step * span * n + 1
        for k in range(w):
            b = ((step + 2 * k * n * step) * span + w) * n
            slots.extend([j * a + b for j in js])
    slots.sort()
    return list(map(n.__rmod__, slots))  # s % n == j


def _renderable(item: ItemData) -> bool:
    # A bulletin item whose bulletin is gone (an alert withdrawn upstream) shows nothing.
    return item.bulletin is not None if item.kind == "bulletin" else item.media is not None


class CompiledPlaylist:
    """A playlist's rules as flat arrays (one slot per item, in playlist order)."""

    def __init__(self, playlist: PlaylistData) -> None:
        self.id = playlist.id
        self.items = playlist.items
        self.start: list[int] = []
        self.end: list[int] = []
        self.rule: list[int] = []  # index into self.rules, -1: no day rule
        self.priority: list[int] = []
        self.weight: list[int] = []
        self.bulletin_id: list[str | None] = []
        self.rules: list[DayRule] = []
        self._timeless: list[bool] = []
        rule_index: dict[DayRule, int] = {}
        # Runs once per content version but over every item: keep the common case (no
        # rule at all) cheap, it decides how long a big version takes to come on screen.
        us_cache: dict[datetime, int] = {}
        for item in playlist.items:
            b = item.bulletin
            start, end = -NEVER, NEVER
            for t in (item.valid_from, b.valid_from if b else None):
                if t is not None:
                    start = max(start, us_cache.get(t) or us_cache.setdefault(t, to_us(t)))
            for t in (item.valid_until, b.valid_until if b else None):
                if t is not None:
                    end = min(end, us_cache.get(t) or us_cache.setdefault(t, to_us(t)))
            self.start.append(start)
            self.end.append(end)
            has_rule = item.weekdays or item.dayparts or item.skip_dates or item.skip_holidays
            rule = DayRule.of(item) if has_rule else None
            if rule is None:
                self.rule.append(-1)
            else:
                self.rule.append(rule_index.setdefault(rule, len(rule_index)))
            self.priority.append(item.priority)
            self.weight.append(item.weight if item.weight > 1 else 1)
            self.bulletin_id.append(b.id if b else None)
            self._timeless.append(rule is None and start == -NEVER and end == NEVER)
        self.rules = list(rule_index)
        self._candidates: dict[tuple[object, ...], tuple[int, ...]] = {}
        self._steps_day = -1
        self._steps: list[DaySteps | None] = []
        self._loop: tuple[tuple[int, ...], tuple[ItemData, ...]] | None = None

    def rule_at(self, r: int, t: LocalDay) -> tuple[bool, int]:
        """Day rule ``r`` at ``t.now_us``: (on, next edge), from the day's cached steps."""
        if self._steps_day != t.ordinal:
            self._steps_day, self._steps = t.ordinal, [None] * len(self.rules)
        steps = self._steps[r]
        if steps is None:
            steps = self._steps[r] = DaySteps.build(self.rules[r], t)
        return steps.at(t.now_us, t.horizon)

    def candidates(
        self, lang: str, exclude: frozenset[str], require: frozenset[str], trusted: bool
    ) -> tuple[int, ...]:
        """Indices of the items the screen's filters accept (cached per filter set).

        An untrusted clock keeps only items without any time rule.
        """
        key = (lang, exclude, require, trusted)
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = tuple(
                i for i, item in enumerate(self.items)
                if _renderable(item)
                and (not item.languages or lang in item.languages)
                and not (exclude and item.tags & exclude)
                and (not require or item.tags & require)
                and (trusted or self._timeless[i])
            )
        return found

    def loop(self, tier: list[int]) -> tuple[ItemData, ...]:
        """The items at indices ``tier`` in loop order (weights interleaved).

        The last loop is kept: the playing set often survives an edge unchanged.
        """
        key = tuple(tier)
        if self._loop is not None and self._loop[0] == key:
            return self._loop[1]
        weights, items = self.weight, self.items
        order = interleave([weights[i] for i in tier])
        playing = [items[i] for i in tier]
        loop = tuple(map(playing.__getitem__, order))
        self._loop = (key, loop)
        return loop

    def day_part(self, index: int, state: DayRuleState) -> DayPart | None:
        if state.part < 0:
            return None
        return self.items[index].dayparts[state.part]

"""Local wall-clock time ↔ instants in a site's time zone, with DST made explicit.

The engine compares instants as integer microseconds since the Unix epoch: exact (no
float rounding can put a deadline on or before ``now``) and cheap to compare.

Wall-clock edges ("18:00 on 2027-03-28") become instants by one rule, used everywhere:

- a wall time that exists once is that instant;
- a wall time that exists twice (autumn, 02:00-03:00 in Paris) is its FIRST occurrence
  (``fold=0``): a day-part edge happens once, when the clock first reads it;
- a wall time that does not exist (spring, 02:00-03:00 in Paris) moves to the first
  instant after the gap (03:00 summer time), never an hour later.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from content_cache import MINUTES_PER_DAY

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
# Beyond any real instant; stands for "no edge".
NEVER = 1 << 62


def to_us(instant: datetime) -> int:
    """Microseconds since the epoch of a tz-aware datetime."""
    return (instant - EPOCH) // ONE_US


def from_us(us: int, tz: tzinfo) -> datetime:
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


@lru_cache(maxsize=8192)
def wall_edge_us(day: date, minute: int, tz: ZoneInfo) -> int:
    """The instant (µs) at which the wall clock of ``day`` first reads ``minute``.

    ``minute`` may be 1440 ("24:00", the next midnight). See the module docstring for
    repeated and skipped wall times.
    """
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=minute // MINUTES_PER_DAY), minute % MINUTES_PER_DAY
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    first = naive.replace(tzinfo=tz, fold=0)
    us = to_us(first)
    if from_us(us, tz).replace(tzinfo=None) == naive:
        return us
    return _gap_end_us(naive, tz)


def _gap_end_us(naive: datetime, tz: ZoneInfo) -> int:
    """First instant after the DST gap that swallows the wall time ``naive``."""
    # fold=1 reads the gap time with the offset after the change (an instant before the
    # change), fold=0 with the offset before it (an instant after): the change lies between.
    lo = to_us(naive.replace(tzinfo=tz, fold=1))
    hi = to_us(naive.replace(tzinfo=tz, fold=0))
    if lo > hi:
        lo, hi = hi, lo
    after = from_us(hi, tz).utcoffset()
    while hi - lo > 1_000_000:  # offsets change on whole seconds
        mid = (lo + hi) // 2
        if from_us(mid, tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    # hi is within a second after the change; round down to that second.
    return hi - hi % 1_000_000 if from_us(hi - hi % 1_000_000, tz).utcoffset() == after else hi


def offset_change_us(start_us: int, end_us: int, tz: ZoneInfo) -> int | None:
    """The first instant in (start, end] whose UTC offset differs from start's, if any.

    Only looks for one change; callers use it within a single day.
    """
    before = from_us(start_us, tz).utcoffset()
    if from_us(end_us, tz).utcoffset() == before:
        return None
    lo, hi = start_us, end_us
    while hi - lo > 1_000_000:
        mid = (lo + hi) // 2
        if from_us(mid, tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    down = hi - hi % 1_000_000
    return down if down > start_us and from_us(down, tz).utcoffset() != before else hi

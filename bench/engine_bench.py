"""Schedule engine benchmark: time to answer "what plays now" for big playlists.

Run: python bench/engine_bench.py [--repeat N]

Builds one playlist of N items with a realistic mix of rules (validity windows,
weekdays, day-parts including overnight ones, skipped dates, holidays, priorities,
weights, languages, tags, a few alerts), then times ``ScheduleEngine.now_playing`` at
instants spread over a week (so day-part edges, midnight and a DST change are crossed).
The content is compiled once per version in real use, so the first call is reported
apart. Prints a table; numbers are relative to the machine they run on.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from content_cache import BulletinData, DayPart, Holiday, ItemData, LiveContent, LocalText, MediaRef, PlaylistData
from player.engine import ScheduleEngine

PARIS = ZoneInfo("Europe/Paris")
# The week of the autumn DST change, 2027.
START = datetime(2027, 10, 27, 6, 0, tzinfo=PARIS)
SIZES = (100, 1_000, 10_000, 100_000)


def build_content(n: int, seed: int = 7) -> LiveContent:
    rnd = random.Random(seed)
    media = MediaRef("a" * 64, Path("/media/a"), "image/jpeg", 1000, "a.jpg")
    bulletins = [
        BulletinData(f"b{k}", "info", rnd.choice(["info", "warning", "critical"]),
                     LocalText.from_mapping({"fr": f"Bulletin {k}"}), LocalText(),
                     valid_from=START + timedelta(hours=rnd.randint(-48, 48)),
                     valid_until=START + timedelta(hours=rnd.randint(49, 200)),
                     alert=rnd.choice([None, None, "banner"]))
        for k in range(max(3, n // 200))
    ]
    items = []
    for i in range(n):
        kw: dict = {}
        roll = rnd.random()
        if roll < 0.25:
            kw["valid_from"] = START + timedelta(minutes=rnd.randint(-5000, 5000))
            kw["valid_until"] = kw["valid_from"] + timedelta(minutes=rnd.randint(60, 20000))
        elif roll < 0.4:
            kw["weekdays"] = frozenset(rnd.sample(range(7), rnd.randint(1, 6)))
        elif roll < 0.6:
            parts = []
            for _ in range(rnd.randint(1, 2)):
                a, b = rnd.randrange(0, 1440, 30), rnd.randrange(0, 1440, 30)
                if a != b:
                    parts.append(DayPart(a, b))
            kw["dayparts"] = tuple(parts)
        elif roll < 0.65:
            kw["skip_dates"] = frozenset({date(2027, 10, 28), date(2027, 11, 1)})
            kw["skip_holidays"] = True
        if rnd.random() < 0.1:
            kw["languages"] = frozenset({rnd.choice(["fr", "en"])})
        if rnd.random() < 0.1:
            kw["tags"] = frozenset({rnd.choice(["election", "sport", "culture"])})
        if rnd.random() < 0.02:
            kw["priority"] = 1
        kw["weight"] = rnd.choice([1, 1, 1, 2, 3])
        if rnd.random() < 0.1:
            kind, extra = "bulletin", {"bulletin": rnd.choice(bulletins)}
        else:
            kind, extra = "image", {"media": media}
        items.append(ItemData(id=f"i{i}", kind=kind, position=i, duration_s=8.0, **extra, **kw))
    return LiveContent(
        version_id="bench", generation=1, published_at=START - timedelta(days=3), site_id="bench",
        site_name=LocalText.from_mapping({"fr": "Banc"}), timezone="Europe/Paris",
        languages=("fr", "en"), default_playlist="lobby",
        playlists={"lobby": PlaylistData("lobby", LocalText(), tuple(items))},
        bulletins=tuple(bulletins),
        holidays=(Holiday(date(2027, 11, 1)), Holiday(date(2027, 11, 11))),
    )


def build_all_playing(n: int) -> LiveContent:
    """The worst case for the loop: no rule at all, every item plays, weights 1-3."""
    media = MediaRef("a" * 64, Path("/media/a"), "image/jpeg", 1000, "a.jpg")
    items = tuple(ItemData(id=f"i{i}", kind="image", position=i, duration_s=8.0, media=media,
                           weight=1 + i % 3) for i in range(n))
    return LiveContent(
        version_id="bench", generation=1, published_at=START - timedelta(days=3), site_id="bench",
        site_name=LocalText.from_mapping({"fr": "Banc"}), timezone="Europe/Paris",
        languages=("fr",), default_playlist="lobby",
        playlists={"lobby": PlaylistData("lobby", LocalText(), items)}, bulletins=(),
    )


def instants(count: int) -> list[datetime]:
    step = timedelta(days=7) / count
    return [(START + k * step).astimezone(UTC) for k in range(count)]


def in_reserve_period(content: LiveContent) -> LiveContent:
    """The same content with an election whose reserve period covers the bench's week; the
    guard withholds the items tagged "election" (instead of the bench's exclude_tags)."""
    from dataclasses import replace

    return replace(content, neutrality={
        "elections": [{"name": "Bench 2028", "first_round": "2028-03-12", "last_round": "2028-03-19"}],
        "policy": {"withhold_tags": ["election"]}})


def measure(content: LiveContent, repeat: int, fresh_loop: bool,
            exclude: frozenset[str] = frozenset({"election"})) -> tuple[float, float, int]:
    """(first call ms, median ms of the following calls, items in the last answer).

    ``fresh_loop``: forget the engine's last loop before each call, so the weighted
    interleave is recomputed every time (its worst case).
    """
    engine = ScheduleEngine()
    nows = instants(repeat)
    t0 = time.perf_counter()
    engine.now_playing(content, nows[0], exclude_tags=exclude)
    first = (time.perf_counter() - t0) * 1000
    times = []
    answer = None
    for now in nows:
        if fresh_loop:
            engine.compile(content).playlist(None)._loop = None  # noqa: SLF001 - bench only
        t0 = time.perf_counter()
        answer = engine.now_playing(content, now, exclude_tags=exclude)
        times.append((time.perf_counter() - t0) * 1000)
    return first, statistics.median(times), len(answer.items) if answer else 0


def table(title: str, rows: list[tuple[int, float, float, int]]) -> None:
    base = next(median for n, _first, median, _len in rows if n == 1_000)
    print(title)
    print(f"{'items':>8} {'median ms':>10} {'ms per 1k':>10} {'vs 1,000':>9} {'first call ms':>14} {'loop len':>9}")
    for n, first, median, loop_len in rows:
        print(f"{n:>8,} {median:>10.2f} {median / n * 1000:>10.3f} {median / base:>9.1f} "
              f"{first:>14.1f} {loop_len:>9,}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=0, help="calls per size, spread over a week (default 60)")
    args = parser.parse_args()
    repeat = args.repeat or 60
    mixed = [(n, *measure(build_content(n), repeat, fresh_loop=False)) for n in SIZES]
    table("Mixed rules (the typical case), instants spread over a week:", mixed)
    guarded = [(n, *measure(in_reserve_period(build_content(n)), repeat, fresh_loop=False, exclude=frozenset()))
               for n in SIZES]
    table("The same inside an election reserve period (the guard withholds the tagged items):", guarded)
    print("reserve period vs exclude_tags, same content and instants (median ratio):")
    for (n, _f1, m1, l1), (_n, _f2, m2, l2) in zip(mixed, guarded, strict=False):
        print(f"{n:>8,} {m2 / m1:>6.2f}×  (loop {l1:,} vs {l2:,} items)")
    print()
    table("Worst case: every item plays, weights 1-3, loop rebuilt on every call:",
          [(n, *measure(build_all_playing(n), max(5, repeat // 4), fresh_loop=True)) for n in SIZES])


if __name__ == "__main__":
    main()

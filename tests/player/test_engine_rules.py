"""Table tests of the schedule engine's rules at fixed instants (Europe/Paris).

26 November 2026 is a Thursday; 27 a Friday; 28 a Saturday; 25 December a Friday.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from content_cache import ItemData
from player.engine import ScheduleEngine
from player.item_rules import interleave

from .builders import FRI, SAT, SUN, at, bulletin, bulletin_item, content, ids, image


def answer(c, now: datetime, **kw):
    return ScheduleEngine().now_playing(c, now, **kw)


DAYPARTS = content(
    image("always"),
    image("lunch", dayparts="12:00-14:00"),
    image("evening", dayparts="18:00-23:00"),
)


@pytest.mark.parametrize(
    "now, expected, until",
    [
        (at(2026, 11, 26, 11, 0), ["always"], at(2026, 11, 26, 12)),
        (at(2026, 11, 26, 12, 0), ["always", "lunch"], at(2026, 11, 26, 14)),  # start inclusive
        (at(2026, 11, 26, 13, 59, 59), ["always", "lunch"], at(2026, 11, 26, 14)),
        (at(2026, 11, 26, 14, 0), ["always"], at(2026, 11, 26, 18)),  # end exclusive
        (at(2026, 11, 26, 18, 30), ["always", "evening"], at(2026, 11, 26, 23)),
        (at(2026, 11, 26, 23, 30), ["always"], at(2026, 11, 27, 0)),  # day rules re-checked at midnight
    ],
)
def test_day_parts_play_inside_their_hours_and_the_deadline_is_the_next_edge(now, expected, until) -> None:
    a = answer(DAYPARTS, now)
    assert ids(a) == expected
    assert a.valid_until == until


NIGHT = content(image("night", dayparts="22:00-06:00"))


@pytest.mark.parametrize(
    "now, plays, until",
    [
        (at(2026, 11, 26, 21, 59), False, at(2026, 11, 26, 22)),
        (at(2026, 11, 26, 22, 0), True, at(2026, 11, 27, 0)),
        (at(2026, 11, 27, 0, 0), True, at(2026, 11, 27, 6)),
        (at(2026, 11, 27, 5, 59), True, at(2026, 11, 27, 6)),
        (at(2026, 11, 27, 6, 0), False, at(2026, 11, 27, 22)),
    ],
)
def test_an_overnight_day_part_runs_across_midnight(now, plays, until) -> None:
    a = answer(NIGHT, now)
    assert (ids(a) == ["night"]) is plays
    assert a.valid_until == until


@pytest.mark.parametrize(
    "now, plays",
    [
        (at(2026, 11, 27, 23, 0), True),  # Friday night
        (at(2026, 11, 28, 3, 0), True),  # ... continues into Saturday morning
        (at(2026, 11, 28, 23, 0), False),  # Saturday night is not Friday's
        (at(2026, 11, 27, 3, 0), False),  # Friday morning is Thursday night's tail
    ],
)
def test_an_overnight_day_part_belongs_to_the_day_it_starts_on(now, plays) -> None:
    c = content(image("friday-night", weekdays={FRI}, dayparts="22:00-06:00"))
    assert (ids(answer(c, now)) == ["friday-night"]) is plays


def test_weekdays_limit_an_item_to_those_days_and_midnight_is_the_deadline() -> None:
    c = content(image("weekend", weekdays={SAT, SUN}), image("always"))
    thursday = answer(c, at(2026, 11, 26, 10))
    assert ids(thursday) == ["always"] and thursday.valid_until == at(2026, 11, 27, 0)
    saturday = answer(c, at(2026, 11, 28, 10))
    assert ids(saturday) == ["weekend", "always"]


def test_a_skipped_date_takes_the_whole_local_day_out() -> None:
    c = content(image("x", skip_dates={date(2026, 12, 24)}))
    assert ids(answer(c, at(2026, 12, 23, 23, 59))) == ["x"]
    a = answer(c, at(2026, 12, 24, 0, 0))
    assert ids(a) == [] and a.fallback and a.valid_until == at(2026, 12, 25, 0)
    assert ids(answer(c, at(2026, 12, 25, 0, 0))) == ["x"]


def test_items_opting_in_rest_on_site_holidays_and_others_play() -> None:
    c = content(image("office-hours", skip_holidays=True), image("poster"),
                holidays=(date(2026, 12, 25),))
    assert ids(answer(c, at(2026, 12, 25, 10))) == ["poster"]
    assert ids(answer(c, at(2026, 12, 26, 10))) == ["office-hours", "poster"]


@pytest.mark.parametrize(
    "now, plays",
    [
        (at(2026, 12, 25, 3, 0), True),  # started on the 24th, not a holiday
        (at(2026, 12, 25, 23, 0), False),  # the holiday's own night
        (at(2026, 12, 26, 3, 0), False),  # ... and its tail
    ],
)
def test_a_holiday_cancels_the_overnight_day_part_that_starts_on_it(now, plays) -> None:
    c = content(image("night", dayparts="22:00-06:00", skip_holidays=True),
                holidays=(date(2026, 12, 25),))
    assert (ids(answer(c, now)) == ["night"]) is plays


def test_only_the_highest_priority_tier_with_playable_items_plays() -> None:
    c = content(
        image("regular"),
        image("campaign", priority=5, valid_from=at(2026, 11, 26, 12), valid_until=at(2026, 11, 27)),
        image("evening-news", priority=9, dayparts="18:00-20:00"),
        image("filler", priority=-1),
    )
    cases = [
        (at(2026, 11, 26, 10), ["regular"], 0),
        (at(2026, 11, 26, 12), ["campaign"], 5),
        (at(2026, 11, 26, 18), ["evening-news"], 9),
        (at(2026, 11, 26, 20), ["campaign"], 5),
        (at(2026, 11, 27, 10), ["regular"], 0),
    ]
    for now, expected, tier in cases:
        a = answer(c, now)
        assert (ids(a), a.priority) == (expected, tier), now


def test_a_low_priority_filler_plays_only_when_nothing_else_can() -> None:
    c = content(image("filler", priority=-1), image("day", dayparts="08:00-18:00"))
    assert ids(answer(c, at(2026, 11, 26, 9))) == ["day"]
    night = answer(c, at(2026, 11, 26, 19))
    assert ids(night) == ["filler"] and not night.fallback


@pytest.mark.parametrize(
    "weights, order",
    [
        ([1, 1, 1], [0, 1, 2]),
        ([2, 1, 1], [0, 1, 0, 2]),
        ([1, 1, 2], [0, 2, 1, 2]),
        ([2, 2], [0, 1, 0, 1]),
        ([3, 1, 1, 1], [0, 1, 0, 2, 0, 3]),
    ],
)
def test_weights_repeat_an_item_spread_over_the_loop(weights: list[int], order: list[int]) -> None:
    assert interleave(weights) == order


def test_weighted_loop_gives_each_item_its_share_and_never_the_same_item_twice_in_a_row() -> None:
    c = content(*[image(f"i{k}", weight=w) for k, w in enumerate([2, 1, 3, 1, 2])])
    loop = ids(answer(c, at(2026, 11, 26, 10)))
    assert {i: loop.count(i) for i in set(loop)} == {"i0": 2, "i1": 1, "i2": 3, "i3": 1, "i4": 2}
    assert all(a != b for a, b in zip(loop, loop[1:] + loop[:1], strict=False))
    assert loop == ids(answer(c, at(2026, 11, 27, 15)))  # deterministic


def test_items_restricted_to_languages_play_only_in_those_languages() -> None:
    c = content(image("all"), image("english", languages={"en"}), image("bilingual", languages={"fr", "en"}))
    assert ids(answer(c, at(2026, 11, 26, 10))) == ["all", "bilingual"]  # the site's first: fr
    assert ids(answer(c, at(2026, 11, 26, 10), lang="en")) == ["all", "english", "bilingual"]
    assert ids(answer(c, at(2026, 11, 26, 10), lang="de")) == ["all"]


def test_tags_can_be_excluded_and_required() -> None:
    c = content(image("plain"), image("record", tags={"town-record"}), image("pool", tags={"sport"}),
                image("match", tags={"sport", "town-record"}))
    now = at(2026, 11, 26, 10)
    assert ids(answer(c, now, exclude_tags={"town-record"})) == ["plain", "pool"]
    assert ids(answer(c, now, require_tags={"sport", "culture"})) == ["pool", "match"]
    assert ids(answer(c, now, require_tags={"sport"}, exclude_tags={"town-record"})) == ["pool"]


def test_nothing_playable_is_a_fallback_answer_not_an_empty_screen() -> None:
    a = answer(content(image("later", valid_from=at(2026, 12, 1))), at(2026, 11, 26, 10))
    assert a.items == () and a.fallback and a.valid_until == at(2026, 12, 1)
    missing = ScheduleEngine().now_playing(content(), at(2026, 11, 26), playlist_id="nope")
    assert missing.fallback and missing.playlist_id is None


def test_a_bulletin_item_whose_bulletin_is_gone_is_not_played() -> None:
    orphan = ItemData(id="orphan", kind="bulletin", position=0, duration_s=10.0, bulletin=None)
    assert ids(answer(content(orphan, image("x")), at(2026, 11, 26))) == ["x"]


def test_the_answer_says_why_each_item_plays() -> None:
    c = content(image("always"), image("weekend-night", weekdays={FRI, SAT}, dayparts="22:00-06:00",
                                       skip_holidays=True, weight=2, tags={"sport"}))
    a = answer(c, at(2026, 11, 28, 2, 0))  # Saturday 02:00: Friday's night
    why = a.reason("weekend-night")
    assert why is not None and str(why.daypart) == "22:00-06:00" and why.daypart_day == date(2026, 11, 27)
    assert str(why) == ("priority 0; on fri,sat; day-part 22:00-06:00 of Fri 2026-11-27; "
                        "not on holidays; weight 2; tags sport")
    assert str(a.reason("always")) == "priority 0; always"
    assert a.reason("not-there") is None


def test_the_deadline_is_strictly_after_now_even_exactly_on_an_edge() -> None:
    c = content(image("a", valid_until=at(2026, 11, 26, 10)), image("b", valid_from=at(2026, 11, 26, 10)),
                image("c", dayparts="10:00-11:00"))
    a = answer(c, at(2026, 11, 26, 10))
    assert ids(a) == ["b", "c"] and a.valid_until == at(2026, 11, 26, 11)


def test_a_bulletin_item_follows_the_tighter_of_its_own_and_its_bulletins_window() -> None:
    b = bulletin("works", valid_from=at(2026, 11, 20), valid_until=at(2026, 11, 30))
    c = content(bulletin_item("w", b, valid_from=at(2026, 11, 25)))
    assert ids(answer(c, at(2026, 11, 24))) == []
    a = answer(c, at(2026, 11, 26))
    assert ids(a) == ["w"] and a.valid_until == at(2026, 11, 30)
    assert a.reason("w").valid_from == at(2026, 11, 25)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        answer(content(image("a")), datetime(2026, 1, 1))

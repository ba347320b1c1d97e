"""Day-parts across the Europe/Paris DST changes of 2027, and 29 February 2028.

28 March 2027: 02:00 CET → 03:00 CEST (01:00 UTC); wall times 02:00-02:59 do not exist.
31 October 2027: 03:00 CEST → 02:00 CET (01:00 UTC); wall times 02:00-02:59 happen twice.
Rule: a day-part edge is the FIRST instant the wall clock reads it; an edge inside the
spring gap moves to the end of the gap (03:00 CEST).
"""
from __future__ import annotations

from datetime import date

import pytest

from player.engine import ScheduleEngine

from .builders import SUN, TUE, at, content, ids, image, utc


def answer(c, now):
    return ScheduleEngine().now_playing(c, now)


@pytest.mark.parametrize(
    "now, plays, until",
    [
        # 02:30 does not exist: the day-part starts when the clock jumps to 03:00 CEST
        (at(2027, 3, 28, 1, 59), False, utc(2027, 3, 28, 1, 0)),
        (utc(2027, 3, 28, 1, 0), True, at(2027, 3, 28, 4, 0)),
        (at(2027, 3, 28, 3, 59), True, at(2027, 3, 28, 4, 0)),
        (at(2027, 3, 28, 4, 0), False, at(2027, 3, 29, 0, 0)),
        (at(2027, 3, 29, 2, 30), True, at(2027, 3, 29, 4, 0)),  # a normal day again
    ],
)
def test_spring_forward_a_day_part_starting_in_the_gap_starts_when_the_gap_ends(now, plays, until) -> None:
    a = answer(content(image("x", dayparts="02:30-04:00")), now)
    assert (ids(a) == ["x"]) is plays
    assert a.valid_until == until


def test_spring_forward_a_day_part_wholly_inside_the_gap_does_not_play_that_day() -> None:
    c = content(image("x", dayparts="02:15-02:45"))
    for now in (at(2027, 3, 28, 1, 59), utc(2027, 3, 28, 1, 0), at(2027, 3, 28, 3, 10)):
        assert ids(answer(c, now)) == [], now
    assert ids(answer(c, at(2027, 3, 29, 2, 20))) == ["x"]


def test_spring_forward_an_overnight_day_part_ending_in_the_gap_ends_at_the_jump() -> None:
    a = answer(content(image("late", dayparts="22:00-02:30")), at(2027, 3, 28, 1, 30))
    assert ids(a) == ["late"] and a.valid_until == utc(2027, 3, 28, 1, 0)
    assert ids(answer(content(image("late", dayparts="22:00-02:30")), at(2027, 3, 28, 3, 0))) == []


def test_spring_forward_midnight_deadline_is_the_next_local_midnight() -> None:
    a = answer(content(image("sunday", weekdays={SUN})), at(2027, 3, 28, 12))
    assert ids(a) == ["sunday"] and a.valid_until == utc(2027, 3, 28, 22, 0)  # 00:00 CEST


@pytest.mark.parametrize(
    "now, plays, until",
    [
        (at(2027, 10, 31, 2, 29), False, utc(2027, 10, 31, 0, 30)),  # first 02:30, CEST
        (at(2027, 10, 31, 2, 45), True, utc(2027, 10, 31, 1, 0)),  # re-checked at the change
        (at(2027, 10, 31, 2, 15, fold=1), True, at(2027, 10, 31, 3, 30)),  # repeated hour: still on
        (at(2027, 10, 31, 3, 29), True, at(2027, 10, 31, 3, 30)),
        (at(2027, 10, 31, 3, 30), False, at(2027, 11, 1, 0, 0)),
    ],
)
def test_fall_back_a_day_part_starts_at_the_first_reading_and_lasts_through_the_repeated_hour(
    now, plays, until
) -> None:
    a = answer(content(image("x", dayparts="02:30-03:30")), now)
    assert (ids(a) == ["x"]) is plays
    assert a.valid_until == until


def test_fall_back_a_day_part_ending_in_the_repeated_hour_does_not_play_it_twice() -> None:
    c = content(image("x", dayparts="01:00-02:30"))
    assert ids(answer(c, at(2027, 10, 31, 2, 15, fold=0))) == ["x"]
    assert ids(answer(c, at(2027, 10, 31, 2, 45, fold=0))) == []
    assert ids(answer(c, at(2027, 10, 31, 2, 15, fold=1))) == []


def test_fall_back_midnight_deadline_is_the_next_local_midnight() -> None:
    a = answer(content(image("sunday", weekdays={SUN})), at(2027, 10, 31, 12))
    assert a.valid_until == utc(2027, 10, 31, 23, 0)  # 00:00 CET


def test_29_february_is_a_day_like_any_other() -> None:
    c = content(image("skip-leap", skip_dates={date(2028, 2, 29)}), image("tuesday", weekdays={TUE}),
                image("tuesday-night", weekdays={TUE}, dayparts="22:00-06:00"))
    assert ids(answer(c, at(2028, 2, 28, 23, 59))) == ["skip-leap"]
    leap = answer(c, at(2028, 2, 29, 10))
    assert ids(leap) == ["tuesday"] and leap.valid_until == at(2028, 2, 29, 22)
    assert ids(answer(c, at(2028, 2, 29, 23))) == ["tuesday", "tuesday-night"]
    assert ids(answer(c, at(2028, 3, 1, 5))) == ["skip-leap", "tuesday-night"]

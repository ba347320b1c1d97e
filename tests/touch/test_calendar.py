"""Agenda by day, "today" and "this weekend", and the menu week to show."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from content_cache import LocalText
from kiosk.touch.calendar import group_by_day, week_menu, weekend
from kiosk.touch.documents import Course, Event, Menu, MenuDay

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 26, 10, 30, tzinfo=PARIS)  # Thursday


def event(eid: str, start: datetime, end: datetime | None = None) -> Event:
    return Event(eid, LocalText.from_mapping({"fr": eid}), LocalText(), start, end)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("today", "saturday"),
    [(date(2026, 11, 23), date(2026, 11, 28)), (date(2026, 11, 27), date(2026, 11, 28)),
     (date(2026, 11, 28), date(2026, 11, 28)), (date(2026, 11, 29), date(2026, 11, 28))],
)
def test_this_weekend_is_the_coming_or_current_one(today: date, saturday: date) -> None:
    assert weekend(today) == (saturday, date(saturday.year, saturday.month, saturday.day + 1))


def test_events_are_grouped_by_day_and_finished_ones_are_gone() -> None:
    events = [
        event("morning-over", at(2026, 11, 26, 8, 0), at(2026, 11, 26, 9, 0)),
        event("tonight", at(2026, 11, 26, 19, 0), at(2026, 11, 26, 21, 0)),
        event("saturday", at(2026, 11, 28, 20, 30)),
        event("next-week", at(2026, 12, 3, 8, 0), at(2026, 12, 3, 12, 0)),
    ]
    groups = group_by_day(events, NOW, PARIS)
    assert [(g.day, [e.id for e in g.events]) for g in groups] == [
        (date(2026, 11, 26), ["tonight"]),
        (date(2026, 11, 28), ["saturday"]),
        (date(2026, 12, 3), ["next-week"]),
    ]


def test_an_ongoing_multi_day_event_is_listed_today() -> None:
    fair = event("fair", at(2026, 11, 25, 10, 0), at(2026, 11, 29, 19, 0))
    assert [g.day for g in group_by_day([fair], NOW, PARIS)] == [date(2026, 11, 26)]


def test_an_event_without_end_stays_listed_until_the_end_of_its_day() -> None:
    talk = event("talk", at(2026, 11, 26, 9, 0))
    assert [g.day for g in group_by_day([talk], NOW, PARIS)] == [date(2026, 11, 26)]
    assert group_by_day([talk], at(2026, 11, 27, 0, 0), PARIS) == ()


def test_this_weekend_keeps_events_touching_saturday_or_sunday() -> None:
    events = [
        event("friday", at(2026, 11, 27, 20, 0), at(2026, 11, 27, 22, 0)),
        event("market", at(2026, 11, 27, 10, 0), at(2026, 11, 29, 19, 0)),
        event("sunday", at(2026, 11, 29, 9, 0), at(2026, 11, 29, 12, 0)),
        event("monday", at(2026, 11, 30, 9, 0), at(2026, 11, 30, 12, 0)),
    ]
    groups = group_by_day(events, NOW, PARIS, only=weekend(NOW.date()))
    assert [(g.day, [e.id for e in g.events]) for g in groups] == [
        (date(2026, 11, 28), ["market"]),
        (date(2026, 11, 29), ["sunday"]),
    ]


def test_today_filter_keeps_only_today() -> None:
    events = [event("tonight", at(2026, 11, 26, 19, 0)), event("tomorrow", at(2026, 11, 27, 19, 0))]
    groups = group_by_day(events, NOW, PARIS, only=(NOW.date(), NOW.date()))
    assert [[e.id for e in g.events] for g in groups] == [["tonight"]]


def menu(*days: date) -> Menu:
    dish = Course("main", LocalText.from_mapping({"fr": "Plat"}))
    return Menu("canteen", LocalText.from_mapping({"fr": "Cantine"}), tuple(MenuDay(d, (dish,)) for d in days))


THIS_WEEK = [date(2026, 11, d) for d in (23, 24, 26, 27)]
NEXT_WEEK = [date(2026, 11, 30), date(2026, 12, 1)]


def test_week_menu_on_a_weekday_is_this_week() -> None:
    monday, days = week_menu(menu(*THIS_WEEK, *NEXT_WEEK), date(2026, 11, 26))
    assert monday == date(2026, 11, 23)
    assert [d.day for d in days] == THIS_WEEK


def test_week_menu_at_the_weekend_moves_to_next_week() -> None:
    monday, days = week_menu(menu(*THIS_WEEK, *NEXT_WEEK), date(2026, 11, 28))
    assert monday == date(2026, 11, 30)
    assert [d.day for d in days] == NEXT_WEEK


def test_week_menu_at_the_weekend_without_next_week_keeps_this_week() -> None:
    monday, days = week_menu(menu(*THIS_WEEK), date(2026, 11, 29))
    assert monday == date(2026, 11, 23) and len(days) == 4


def test_stale_menu_has_no_days_to_show() -> None:
    assert week_menu(menu(date(2026, 10, 5)), date(2026, 11, 26))[1] == ()

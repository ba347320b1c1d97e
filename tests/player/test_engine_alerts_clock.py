"""Alerts (critical bulletins, or an explicit ``alert`` mode) and an untrustworthy clock."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from player.engine import ClockPolicy, ScheduleEngine

from .builders import PUBLISHED, at, bulletin, bulletin_item, content, ids, image, utc


def answer(c, now, **kw):
    return ScheduleEngine().now_playing(c, now, **kw)


STORM = bulletin("storm", "critical", valid_from=at(2026, 11, 26, 8), valid_until=at(2026, 11, 27, 6))


def test_a_valid_critical_bulletin_is_a_fullscreen_alert_apart_from_the_loop_and_expires_by_itself() -> None:
    c = content(image("poster"), bulletin_item("storm-item", STORM), bulletins=(STORM,))
    before = answer(c, at(2026, 11, 26, 7))
    assert before.alerts == () and ids(before) == ["poster"] and before.valid_until == at(2026, 11, 26, 8)
    during = answer(c, at(2026, 11, 26, 9))
    assert [(a.id, a.mode) for a in during.alerts] == [("storm", "fullscreen")]
    assert during.fullscreen_alert is not None and during.fullscreen_alert.id == "storm"
    assert ids(during) == ["poster"]  # the alert's own item is not played again in the loop
    assert during.valid_until == at(2026, 11, 27, 6)
    after = answer(c, at(2026, 11, 27, 6))
    assert after.alerts == () and ids(after) == ["poster"]


def test_a_fullscreen_alert_alone_is_not_a_fallback_but_a_banner_alone_is() -> None:
    banner = bulletin("water", "warning", alert="banner")
    assert not answer(content(bulletins=(STORM,)), at(2026, 11, 26, 9)).fallback
    a = answer(content(bulletins=(banner,)), at(2026, 11, 26, 9))
    assert a.fallback and [x.id for x in a.banner_alerts] == ["water"] and a.fullscreen_alert is None


def test_non_critical_bulletins_are_not_alerts_unless_they_ask() -> None:
    plain = bulletin("works", "warning")
    c = content(bulletin_item("w", plain), bulletins=(plain,))
    a = answer(c, at(2026, 11, 26, 9))
    assert a.alerts == () and ids(a) == ["w"]


def test_alerts_are_ordered_most_severe_then_fullscreen_then_newest_first() -> None:
    alerts = (
        bulletin("info-banner", "info", alert="banner", valid_from=at(2026, 11, 26, 8)),
        bulletin("old-critical", "critical", valid_from=at(2026, 11, 20)),
        bulletin("new-critical", "critical", valid_from=at(2026, 11, 26, 7)),
        bulletin("critical-banner", "critical", alert="banner", valid_from=at(2026, 11, 26, 8)),
        bulletin("warning-full", "warning", alert="fullscreen"),
    )
    a = answer(content(image("p"), bulletins=alerts), at(2026, 11, 26, 9))
    assert [x.id for x in a.alerts] == ["new-critical", "old-critical", "critical-banner", "warning-full",
                                         "info-banner"]


def test_an_untrusted_clock_shows_no_alert() -> None:
    a = answer(content(image("p"), bulletins=(STORM,)), utc(1970, 1, 1))
    assert a.alerts == () and ids(a) == ["p"] and not a.clock_trusted


TIMED = content(
    image("timeless"),
    image("windowed", valid_until=at(2027, 1, 1)),
    image("weekdays", weekdays={0, 1, 2, 3, 4}),
    image("daypart", dayparts="08:00-20:00"),
    image("skips", skip_holidays=True),
    bulletin_item("bulletin-windowed", bulletin("b", valid_until=at(2027, 1, 1))),
)


@pytest.mark.parametrize(
    "now",
    [utc(1970, 1, 1), PUBLISHED - timedelta(days=1, seconds=1), utc(2090, 6, 1),
     PUBLISHED + ClockPolicy().ahead],
    ids=["1970", "just-before-published-minus-a-day", "2090", "five-years-after"],
)
def test_an_implausible_clock_plays_only_items_without_time_rules_and_rechecks_soon(now) -> None:
    a = answer(TIMED, now)
    assert not a.clock_trusted
    assert ids(a) == ["timeless"]
    assert now < a.valid_until <= now + timedelta(seconds=60)


@pytest.mark.parametrize("now", [PUBLISHED - timedelta(hours=23), at(2026, 11, 26, 10),
                                 PUBLISHED + ClockPolicy().ahead - timedelta(seconds=1)])
def test_a_plausible_clock_is_trusted(now) -> None:
    assert answer(TIMED, now).clock_trusted


def test_an_untrusted_clock_with_nothing_timeless_falls_back() -> None:
    a = answer(content(image("weekdays", weekdays={0})), utc(1970, 1, 1))
    assert a.fallback and not a.clock_trusted


def test_the_engine_recovers_as_soon_as_the_clock_is_sane_and_logs_each_change_once(caplog) -> None:
    engine = ScheduleEngine()
    caplog.set_level(logging.INFO, logger="player.engine")
    for k in range(3):
        a = engine.now_playing(TIMED, utc(1970, 1, 1, 0, k))
        assert not a.clock_trusted
    for k in range(3):
        a = engine.now_playing(TIMED, at(2026, 11, 26, 10, k))  # a Thursday
        assert a.clock_trusted and ids(a) == ["timeless", "windowed", "weekdays", "daypart", "skips",
                                              "bulletin-windowed"]
    records = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "player.engine"]
    assert [lvl for lvl, _ in records] == ["WARNING", "INFO"]
    assert "1970-01-01T00:00:00+00:00" in records[0][1]


def test_a_clock_slightly_behind_publication_rechecks_when_it_becomes_plausible() -> None:
    now = PUBLISHED - timedelta(days=1, seconds=10)
    a = answer(TIMED, now)
    assert not a.clock_trusted and a.valid_until == PUBLISHED - timedelta(days=1)


def test_the_answer_holds_until_its_deadline_and_not_when_the_clock_went_back() -> None:
    a = answer(TIMED, at(2026, 11, 26, 10))
    assert a.holds(at(2026, 11, 26, 10)) and a.holds(at(2026, 11, 26, 19, 59))
    assert not a.holds(a.valid_until) and not a.holds(at(2026, 11, 26, 9, 59))

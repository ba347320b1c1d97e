"""Property tests: the engine against a slow, obvious reference, at random instants.

The reference decides each item by walking wall-clock times with plain datetimes; the
engine must agree with it, never answer an item outside its window, keep alerts out of
the loop, give a deadline after ``now``, and give the same answer anywhere before it.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content_cache import ItemData
from content_cache.snapshot import DayPart
from player.engine import SEVERITY_RANK, ScheduleEngine, alert_mode

from .builders import PARIS, UTC, bulletin, content, image

SPRING, AUTUMN = datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2027, 10, 31, 1, tzinfo=UTC)


def _near(centre: datetime, hours: int) -> st.SearchStrategy[datetime]:
    return st.integers(-hours * 3600, hours * 3600).map(lambda s: centre + timedelta(seconds=s))


NOWS = st.one_of(
    _near(SPRING, 30), _near(AUTUMN, 30),
    st.datetimes(datetime(2026, 6, 1), datetime(2028, 6, 1)).map(lambda d: d.replace(tzinfo=UTC)),
)
MINUTES = st.integers(0, 96).map(lambda q: q * 15)  # quarter hours, 1440 = "24:00"


@st.composite
def dayparts(draw: st.DrawFn) -> DayPart:
    start = draw(MINUTES.filter(lambda m: m < 1440))
    end = draw(MINUTES.filter(lambda m: m != start))
    return DayPart(start, end)


@st.composite
def scenario(draw: st.DrawFn):
    now = draw(NOWS)
    today = now.astimezone(PARIS).date()
    near_days = st.integers(-2, 2).map(lambda k: today + timedelta(days=k))
    offsets = st.one_of(st.none(), st.integers(-3000, 3000).map(lambda m: now + timedelta(minutes=m)))

    def window() -> dict:
        a, b = draw(offsets), draw(offsets)
        if a and b and b <= a:
            a, b = b, a + timedelta(minutes=1)
        return {"valid_from": a, "valid_until": b}

    bulletins = [
        bulletin(f"b{k}", draw(st.sampled_from(["info", "warning", "critical"])),
                 alert=draw(st.sampled_from([None, None, "banner", "fullscreen"])), **window())
        for k in range(draw(st.integers(0, 3)))
    ]
    items: list[ItemData] = []
    for k in range(draw(st.integers(0, 8))):
        kw = dict(
            weekdays=draw(st.sets(st.integers(0, 6), max_size=6)),
            dayparts=tuple(draw(st.lists(dayparts(), max_size=2))),
            skip_dates=draw(st.sets(near_days, max_size=2)),
            skip_holidays=draw(st.booleans()),
            priority=draw(st.integers(-1, 2)),
            weight=draw(st.integers(1, 3)),
            languages=draw(st.sets(st.sampled_from(["fr", "en"]), max_size=1)),
            **window(),
        )
        if bulletins and draw(st.booleans()):
            b = draw(st.sampled_from(bulletins))
            kw.pop("languages")
            items.append(ItemData(id=f"i{k}", kind="bulletin", position=k, duration_s=5.0, bulletin=b,
                                  **{**kw, "weekdays": frozenset(kw["weekdays"]),
                                     "skip_dates": frozenset(kw["skip_dates"])}))
        else:
            items.append(image(f"i{k}", **kw))
    holidays = tuple(draw(st.sets(near_days, max_size=2)))
    return now, content(*items, bulletins=tuple(bulletins), holidays=holidays)


# -- the reference --------------------------------------------------------------------
def ref_edge(day: date, minute: int) -> datetime:
    """First instant the wall clock of ``day`` reads ``minute`` (skipped: first one after)."""
    if minute == 1440:
        day, minute = day + timedelta(days=1), 0
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    readings = [naive.replace(tzinfo=PARIS, fold=f).astimezone(UTC) for f in (0, 1)]
    real = [r for r in readings if r.astimezone(PARIS).replace(tzinfo=None) == naive]
    if real:
        return min(real)
    t = min(readings)
    while t.astimezone(PARIS).replace(tzinfo=None) < naive:
        t += timedelta(minutes=1)
    return t


def in_window(start: datetime | None, end: datetime | None, now: datetime) -> bool:
    return (start is None or start <= now) and (end is None or now < end)


def ref_plays(item: ItemData, now: datetime, holidays: set[date]) -> bool:
    b = item.bulletin
    if not in_window(item.valid_from, item.valid_until, now):
        return False
    if b and not in_window(b.valid_from, b.valid_until, now):
        return False

    def day_ok(d: date) -> bool:
        return ((not item.weekdays or d.weekday() in item.weekdays) and d not in item.skip_dates
                and not (item.skip_holidays and d in holidays))

    today = now.astimezone(PARIS).date()
    if not item.dayparts:
        return day_ok(today)
    for d in (today - timedelta(days=1), today):
        if day_ok(d):
            for p in item.dayparts:
                end_day = d + timedelta(days=1) if p.overnight else d
                if ref_edge(d, p.start) <= now < ref_edge(end_day, p.end):
                    return True
    return False


def ref_answer(c, now: datetime) -> tuple[dict[str, int], set[str]]:
    """({item id: times in the loop}, {alert ids}) the engine should give."""
    alerts = {b.id for b in c.bulletins if alert_mode(b) and in_window(b.valid_from, b.valid_until, now)}
    holidays = {h.day for h in c.holidays}
    playing = [
        i for i in c.playlist().items
        if ref_plays(i, now, holidays)
        and (not i.languages or "fr" in i.languages)
        and not (i.bulletin and i.bulletin.id in alerts)
    ]
    if not playing:
        return {}, alerts
    top = max(i.priority for i in playing)
    return {i.id: i.weight for i in playing if i.priority == top}, alerts


def summary(a) -> tuple:
    return ([i.id for i in a.items], [x.id for x in a.alerts], a.fallback, a.clock_trusted)


# -- properties -------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_the_engine_agrees_with_the_reference_and_never_plays_an_out_of_window_item(case) -> None:
    now, c = case
    a = ScheduleEngine().now_playing(c, now)
    expected_items, expected_alerts = ref_answer(c, now)
    assert {i.id: [x.id for x in a.items].count(i.id) for i in a.items} == expected_items
    assert {x.id for x in a.alerts} == expected_alerts
    for item in a.items:
        assert in_window(item.valid_from, item.valid_until, now)
        if item.bulletin:
            assert in_window(item.bulletin.valid_from, item.bulletin.valid_until, now)
        why = a.reason(item.id)
        assert why is not None and (why.daypart is not None) == bool(item.dayparts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_alerts_come_first_most_severe_first_and_never_inside_the_loop(case) -> None:
    now, c = case
    a = ScheduleEngine().now_playing(c, now)
    ranks = [SEVERITY_RANK[x.severity] for x in a.alerts]
    assert ranks == sorted(ranks, reverse=True)
    alert_ids = {x.id for x in a.alerts}
    assert not any(i.bulletin and i.bulletin.id in alert_ids for i in a.items)
    assert a.fallback == (not a.items and a.fullscreen_alert is None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scenario(), st.tuples(
    st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1)).map(lambda d: d.replace(tzinfo=UTC)),
    scenario().map(lambda case: case[1]),
)), st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=4))
def test_the_deadline_is_after_now_and_the_answer_holds_until_just_before_it(case, fractions) -> None:
    now, c = case
    engine = ScheduleEngine()
    a = engine.now_playing(c, now)
    assert a.valid_until > now
    span = a.valid_until - now
    samples = [now + span * f for f in fractions] + [a.valid_until - timedelta(microseconds=1)]
    for t in samples:
        t = min(max(t, now), a.valid_until - timedelta(microseconds=1))  # timedelta * float rounds
        assert summary(engine.now_playing(c, t.astimezone(PARIS))) == summary(a), t

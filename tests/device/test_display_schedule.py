"""The display schedule: config keys, the pure on/off decision (DST both ways, overnight),
the cron jobs that apply it, and a scheduler driving a real backend command."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.config import ConfigError, load_config
from kiosk.device.display_power import VcgencmdPower
from kiosk.device.display_schedule import (
    MISFIRE_GRACE_S,
    DisplayPowerScheduler,
    ForwardCronTrigger,
    PowerSchedule,
    display_should_be_on,
    next_change,
    switch_times,
)

from .fakes import FakeBin

UTC = UTC


def _schedule(tmp_path: Path, text: str) -> PowerSchedule:
    f = tmp_path / "kiosk.toml"
    f.write_text(text)
    return PowerSchedule.from_config(load_config(f))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


DAILY = '[display]\non = "06:30"\noff = "23:00"\n'
OVERNIGHT = '[display]\non = "22:00"\noff = "02:30"\n'


def test_config_schedule_with_weekday_overrides(tmp_path: Path) -> None:
    s = _schedule(tmp_path, DAILY + '[display.week]\nsat = "08:00-20:00"\nsun = "off"\nmon = "on"\n')
    assert s.days == (True, (time(6, 30), time(23)), (time(6, 30), time(23)), (time(6, 30), time(23)),
                      (time(6, 30), time(23)), (time(8), time(20)), False)
    assert s.timezone == "Europe/Paris"
    assert s.describe() == "mon on, tue-fri 06:30-23:00, sat 08:00-20:00, sun off (Europe/Paris)"


def test_no_schedule_means_always_on(tmp_path: Path) -> None:
    s = _schedule(tmp_path, '[device]\nmode = "kiosk"\n')
    assert s.always_on and display_should_be_on(s, _utc("2027-01-01T03:00:00"))


def test_schedule_mistakes_are_all_reported_with_their_key(tmp_path: Path) -> None:
    f = tmp_path / "kiosk.toml"
    f.write_text('[device]\nmode = "totem"\ntimezone = "Europe/Pariss"\n'
                 '[display]\norientation = 45\non = "6:30"\npower_backend = "hdmi"\n'
                 '[display.week]\nsatu = "off"\nsun = "20:00-20:00"\n')
    with pytest.raises(ConfigError) as exc:
        load_config(f)
    assert exc.value.problems == [
        "device.mode: 'totem' is not one of signage, kiosk, hybrid",
        "device.timezone: 'Europe/Pariss' is not a known time zone (e.g. Europe/Paris)",
        "display.orientation: 45 is not one of 0, 90, 180, 270",
        "display.on: '6:30' is not a time of day HH:MM",
        "display.power_backend: 'hdmi' is not one of auto, vcgencmd, wlr-randr, xset, cec, backlight, none",
        "display.week: satu: not a weekday (mon … sun); did you mean 'sat'?; "
        "sun: '20:00-20:00' starts and ends at the same time",
        "display.off: missing (display.on is set; give both)",
    ]


@pytest.mark.parametrize("at, expected", [
    # Saturday 27 March 2027, CET (+01:00): on at 06:30 local = 05:30Z
    ("2027-03-27T05:29:00", False), ("2027-03-27T05:30:00", True),
    ("2027-03-27T21:59:00", True), ("2027-03-27T22:00:00", False),
    # Sunday 28 March 2027, clocks go forward at 02:00: 06:30 CEST = 04:30Z
    ("2027-03-28T04:29:00", False), ("2027-03-28T04:30:00", True),
    ("2027-03-28T20:59:00", True), ("2027-03-28T21:00:00", False),
    # Sunday 31 October 2027, clocks go back at 03:00: 06:30 CET = 05:30Z
    ("2027-10-30T04:30:00", True),
    ("2027-10-31T05:29:00", False), ("2027-10-31T05:30:00", True),
    ("2027-10-31T21:59:00", True), ("2027-10-31T22:00:00", False),
])
def test_daily_hours_follow_local_time_on_both_dst_days(tmp_path: Path, at: str, expected: bool) -> None:
    assert display_should_be_on(_schedule(tmp_path, DAILY), _utc(at)) is expected


@pytest.mark.parametrize("at, expected", [
    ("2027-03-27T20:59:00", False), ("2027-03-27T21:00:00", True),   # 22:00 CET
    ("2027-03-28T00:59:00", True),                                    # 01:59 CET
    # 02:30 does not exist on 28 March: like the cron job, off takes effect at 03:30 CEST
    ("2027-03-28T01:15:00", True), ("2027-03-28T01:30:00", False),
    ("2027-10-31T00:15:00", True),                                    # 02:15 CEST
    ("2027-10-31T00:30:00", False),                                   # 02:30 CEST, first time
    # 02:15 again (CET): the screen does not come back on for the repeated half hour
    ("2027-10-31T01:15:00", False),
    ("2027-10-31T20:59:00", False), ("2027-10-31T21:00:00", True),   # 22:00 CET
])
def test_overnight_hours_across_both_dst_nights(tmp_path: Path, at: str, expected: bool) -> None:
    assert display_should_be_on(_schedule(tmp_path, OVERNIGHT), _utc(at)) is expected


def test_an_overnight_window_runs_into_a_day_that_is_off(tmp_path: Path) -> None:
    s = _schedule(tmp_path, '[display.week]\nfri = "18:00-02:00"\nsat = "off"\nsun = "off"\n'
                            'mon = "off"\ntue = "off"\nwed = "off"\nthu = "off"\n')
    paris = s.timezone
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(paris)
    assert display_should_be_on(s, datetime(2027, 6, 11, 17, 59, tzinfo=tz)) is False  # Friday
    assert display_should_be_on(s, datetime(2027, 6, 11, 18, 0, tzinfo=tz)) is True
    assert display_should_be_on(s, datetime(2027, 6, 12, 1, 59, tzinfo=tz)) is True   # Saturday night
    assert display_should_be_on(s, datetime(2027, 6, 12, 2, 0, tzinfo=tz)) is False


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        display_should_be_on(PowerSchedule(), datetime(2027, 1, 1))


def test_switch_times_group_weekdays_and_put_overnight_offs_on_the_next_day(tmp_path: Path) -> None:
    s = _schedule(tmp_path, OVERNIGHT + '[display.week]\nsun = "off"\n')
    assert switch_times(s) == [
        (time(0, 0), (6,)),               # Sunday is a whole-day rule
        # each window ends the next day; Sunday has none, so Monday has no 02:30
        (time(2, 30), (1, 2, 3, 4, 5, 6)),
        (time(22, 0), (0, 1, 2, 3, 4, 5)),
    ]


def test_cron_times_move_past_the_repeated_hour_of_october() -> None:
    """APScheduler 3.11 alone returns 02:30 CET again and again (its issue #1021)."""
    from zoneinfo import ZoneInfo

    trigger = ForwardCronTrigger(hour=2, minute=30, timezone=ZoneInfo("Europe/Paris"))
    fires, t = [], trigger.get_next_fire_time(None, _utc("2027-10-30T12:00:00"))
    for _ in range(3):
        fires.append(t.astimezone(UTC))
        t = trigger.get_next_fire_time(t, t + timedelta(seconds=1))
    assert fires == [_utc("2027-10-31T00:30:00"), _utc("2027-10-31T01:30:00"), _utc("2027-11-01T01:30:00")]


@pytest.mark.parametrize("config", [DAILY, OVERNIGHT, DAILY + '[display.week]\nsat = "09:00-01:00"\nsun = "off"\n'])
@pytest.mark.parametrize("week_of", ["2027-03-24T00:00:00", "2027-10-27T00:00:00"])
def test_the_cron_jobs_keep_the_screen_as_the_schedule_says_through_dst_weeks(
    tmp_path: Path, config: str, week_of: str,
) -> None:
    """Replay a week of cron fires (APScheduler's own next-fire computation): after each
    fire the state applied must be what display_should_be_on says until the next one."""
    s = _schedule(tmp_path, config)
    sched = DisplayPowerScheduler(_Recorder(), s)
    start = _utc(week_of)
    fires: list[datetime] = []
    for trigger in sched.triggers():
        t = trigger.get_next_fire_time(None, start)
        while t is not None and t < start + timedelta(days=8):
            fires.append(t)
            t = trigger.get_next_fire_time(t, t + timedelta(seconds=1))
    fires.sort()
    sched.apply(start)
    probe, i = start, 0
    while probe < start + timedelta(days=7):
        while i < len(fires) and fires[i] <= probe:
            sched.apply(fires[i])
            i += 1
        assert sched.backend.is_on is display_should_be_on(s, probe), probe
        probe += timedelta(minutes=15)


class _Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.is_on: bool | None = None

    def on(self) -> None:
        self.is_on = True

    def off(self) -> None:
        self.is_on = False

    def state(self):
        return None


def test_jobs_are_added_with_generous_misfire_grace_and_coalescing(tmp_path: Path, fakebin: FakeBin) -> None:
    fakebin.add("vcgencmd")
    s = _schedule(tmp_path, DAILY)
    scheduler = BackgroundScheduler(timezone="UTC")
    monday_noon = datetime(2027, 3, 29, 10, 0, tzinfo=UTC)
    sched = DisplayPowerScheduler(VcgencmdPower(), s, now=lambda: monday_noon)
    ids = sched.add_jobs(scheduler)
    # applied at once (a real command), then one job per switch time
    assert fakebin.calls() == [["vcgencmd", "display_power", "1"]]
    scheduler.start(paused=True)
    try:
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert sorted(jobs) == sorted(ids) and len(ids) == 2
        for job in jobs.values():
            assert job.misfire_grace_time == MISFIRE_GRACE_S and job.coalesce is True
        fire_times = sorted(j.trigger.get_next_fire_time(None, monday_noon) for j in jobs.values())
        assert fire_times == [_utc("2027-03-29T21:00:00"), _utc("2027-03-30T04:30:00")]
    finally:
        scheduler.shutdown(wait=False)
    sched.apply(_utc("2027-03-29T22:00:00"))
    assert fakebin.calls()[-1] == ["vcgencmd", "display_power", "0"]


def test_a_failing_backend_is_logged_and_does_not_raise(fakebin: FakeBin, caplog: pytest.LogCaptureFixture) -> None:
    fakebin.add("vcgencmd", exit_code=1, stderr="not supported under KMS\n")
    sched = DisplayPowerScheduler(VcgencmdPower(), PowerSchedule())
    assert sched.apply(_utc("2027-01-01T12:00:00")) is True
    assert "vcgencmd display_power 1: exit status 1: not supported under KMS" in caplog.text


@pytest.mark.parametrize("at, expected", [
    ("2027-03-27T12:00:00", ("2027-03-27T22:00:00", False)),  # Saturday: off at 23:00 CET
    ("2027-03-27T22:00:00", ("2027-03-28T04:30:00", True)),  # on at 06:30 CEST, after the March change
    ("2027-10-30T21:00:00", ("2027-10-31T05:30:00", True)),  # on at 06:30 CET, after the October change
])
def test_next_change_is_the_next_cron_time_that_changes_the_state(tmp_path: Path, at: str, expected) -> None:
    s = _schedule(tmp_path, DAILY)
    when, on = next_change(s, _utc(at))
    assert (when.astimezone(UTC), on) == (_utc(expected[0]), expected[1])


def test_next_change_skips_switch_times_that_change_nothing(tmp_path: Path) -> None:
    s = _schedule(tmp_path, DAILY + '[display.week]\nsun = "off"\nmon = "on"\n')
    # Saturday 23:00: off; Sunday all day off, Monday on from midnight: the next change is Monday 00:00
    when, on = next_change(s, _utc("2027-01-02T22:30:00"))
    assert (when.astimezone(UTC), on) == (_utc("2027-01-03T23:00:00"), True)
    assert next_change(_schedule(tmp_path, '[device]\nmode = "signage"\n'), _utc("2027-01-01T00:00:00")) is None

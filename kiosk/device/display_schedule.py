"""When the screen is on: the ``[display]`` schedule, as a pure function and cron jobs.

``[display] on/off`` give the daily hours, ``[display.week]`` overrides single weekdays
(``"off"``, ``"on"`` or ``"HH:MM-HH:MM"``). The schedule becomes APScheduler (3.x) cron
jobs in the site's time zone. A job does not blindly switch: it asks the pure
:func:`display_should_be_on` what the state must be *now* and applies that, so a job fired
twice (the repeated hour in October) or late (a misfire, the skipped hour in March) still
leaves the screen in the right state.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from content_cache import DEFAULT_TIMEZONE
from kiosk.config import WEEKDAYS, Config, DayHours
from kiosk.device.display_power import DisplayPower, DisplayPowerError

log = logging.getLogger(__name__)


class ForwardCronTrigger(CronTrigger):
    """A CronTrigger whose fire times always move forward.

    APScheduler 3.11 with a zoneinfo zone returns the same fire time again after the
    second occurrence of a repeated wall time (02:30 CET on the last Sunday of October;
    agronholm/apscheduler#1021, open), and its scheduler then loops on that time forever.
    When that happens, ask again from a little later until the answer moves on.
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        fire = super().get_next_fire_time(previous_fire_time, now)
        if previous_fire_time is None:
            return fire
        step, previous = timedelta(minutes=15), previous_fire_time.astimezone(UTC)
        for k in range(1, 13):  # up to three hours past the repeated one
            # compared in UTC: two times with the same tzinfo compare by wall clock
            if fire is None or fire.astimezone(UTC) > previous:
                break
            fire = super().get_next_fire_time(None, max(now, previous_fire_time) + k * step)
        return fire

class JobScheduler(Protocol):
    """What :meth:`DisplayPowerScheduler.add_jobs` uses of an APScheduler 3 scheduler."""

    def add_job(self, func: Callable[..., object], trigger: object = None, **kwargs: Any) -> Any: ...


# A job may run late (device busy, clock stepped by NTP): still worth running within 6 h.
MISFIRE_GRACE_S = 6 * 3600


@dataclass(frozen=True)
class PowerSchedule:
    """Screen hours per weekday (0 = Monday), in ``timezone``. No hours: always on."""

    days: tuple[DayHours, ...] = (True,) * 7
    timezone: str = DEFAULT_TIMEZONE

    @classmethod
    def from_config(cls, cfg: Config) -> PowerSchedule:
        display = cfg.display
        default: DayHours = (display.on, display.off) if display.on and display.off else True
        days = [default] * 7
        for weekday, hours in display.week:
            days[weekday] = hours
        return cls(tuple(days), cfg.device.timezone)

    @property
    def always_on(self) -> bool:
        return all(d is True for d in self.days)

    def describe(self) -> str:
        """``mon-fri 06:30-23:00, sat 08:00-20:00, sun off (Europe/Paris)``."""
        def one(h: DayHours) -> str:
            return ("on" if h else "off") if isinstance(h, bool) else f"{h[0]:%H:%M}-{h[1]:%H:%M}"
        runs: list[list[int]] = []
        for day in range(7):
            if runs and self.days[runs[-1][-1]] == self.days[day]:
                runs[-1].append(day)
            else:
                runs.append([day])
        parts = [WEEKDAYS[r[0]] + (f"-{WEEKDAYS[r[-1]]}" if len(r) > 1 else "") + " " + one(self.days[r[0]])
                 for r in runs]
        return ", ".join(parts) + f" ({self.timezone})"


def display_should_be_on(schedule: PowerSchedule, now: datetime) -> bool:
    """Whether the screen must be on at ``now`` (an aware datetime).

    A window belongs to the day it starts on: ``fri = "18:00-02:00"`` keeps the screen on
    until 02:00 on Saturday even when Saturday is ``"off"``. Times are wall-clock times in
    the schedule's zone, read like APScheduler's cron does on the two DST days: a time in
    the skipped hour of March (02:00-02:59) takes effect an hour later, a time in the
    repeated hour of October counts once, at its first occurrence — so the screen never
    flips back on for the repeated half hour, and this function agrees with the jobs.
    """
    if now.tzinfo is None:
        raise ValueError("display_should_be_on needs an aware datetime")
    tz = ZoneInfo(schedule.timezone)
    instant = now.astimezone(UTC)
    today = now.astimezone(tz).date()
    for day in (today, today - timedelta(days=1)):
        window = _window(day, schedule.days[day.weekday()], tz)
        if window and window[0] <= instant < window[1]:
            return True
    return False


def _window(day: date, hours: DayHours, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The UTC interval during which ``hours`` of ``day`` keep the screen on."""
    if hours is False:
        return None
    on, off = (time(0), time(0)) if hours is True else hours
    end_day = day if on < off else day + timedelta(days=1)
    # fold=0 (the default): the earlier reading of a repeated time, the pre-transition
    # offset for a skipped one — what APScheduler's CronTrigger does too.
    start = datetime.combine(day, on, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(end_day, off, tzinfo=tz).astimezone(UTC)
    return start, end


def next_change(schedule: PowerSchedule, now: datetime, horizon_days: int = 8) -> tuple[datetime, bool] | None:
    """When the wanted state next differs from the one at ``now``, and that state.

    Walks the same cron fire times as the jobs (so DST nights agree with them); None for
    a schedule that never changes (always on, or every day off).
    """
    if now.tzinfo is None:
        raise ValueError("next_change needs an aware datetime")
    current = display_should_be_on(schedule, now)
    triggers = cron_triggers(schedule)
    probe, end = now + timedelta(seconds=1), now + timedelta(days=horizon_days)
    while probe < end:
        fires = [f for f in (tr.get_next_fire_time(None, probe) for tr in triggers) if f is not None]
        if not fires:
            return None
        fire = min(fires, key=lambda f: f.astimezone(UTC))
        if display_should_be_on(schedule, fire) != current:
            return fire, not current
        probe = fire + timedelta(minutes=1)
    return None


def switch_times(schedule: PowerSchedule) -> list[tuple[time, tuple[int, ...]]]:
    """Every (time of day, weekdays) at which the wanted state may change, grouped by time."""
    points: set[tuple[time, int]] = set()
    for day, rule in enumerate(schedule.days):
        if isinstance(rule, bool):
            points.add((time(0, 0), day))
        else:
            on, off = rule
            points.add((on, day))
            points.add((off, day if on < off else (day + 1) % 7))
    by_time: dict[time, set[int]] = {}
    for t, day in points:
        by_time.setdefault(t, set()).add(day)
    return [(t, tuple(sorted(days))) for t, days in sorted(by_time.items())]


def cron_triggers(schedule: PowerSchedule) -> list[CronTrigger]:
    """One cron trigger per switch time, in the schedule's zone."""
    tz = ZoneInfo(schedule.timezone)
    return [
        ForwardCronTrigger(day_of_week=",".join(WEEKDAYS[d] for d in days), hour=t.hour, minute=t.minute,
                           timezone=tz)
        for t, days in switch_times(schedule)
    ]


class DisplayPowerScheduler:
    """Applies the schedule through a backend: at once on start, then at each switch time.

    Logs transitions only (a device's journal is small). A failing backend is logged and
    tried again at the next switch time; the player never stops for it.
    """

    def __init__(self, backend: DisplayPower, schedule: PowerSchedule,
                 now: Callable[[], datetime] | None = None,
                 on_applied: Callable[[bool, bool], None] | None = None) -> None:
        self.backend = backend
        self.schedule = schedule
        self.now = now or (lambda: datetime.now(ZoneInfo(schedule.timezone)))
        # Called after each apply with (wanted on?, command succeeded?), from the
        # thread that applied (the scheduler's): the player idles while the screen is off.
        self.on_applied = on_applied
        self._applied: bool | None = None

    def apply(self, now: datetime | None = None) -> bool:
        """Set the state the schedule wants at ``now``; returns it."""
        want = display_should_be_on(self.schedule, now or self.now())
        try:
            if want:
                self.backend.on()
            else:
                self.backend.off()
        except DisplayPowerError as e:
            log.warning("display power (%s): %s", self.backend.name, e)
            self._applied = None
            if self.on_applied:
                self.on_applied(want, False)
            return want
        if want != self._applied:
            log.info("display %s (%s, schedule %s)", "on" if want else "off", self.backend.name,
                     self.schedule.describe())
        self._applied = want
        if self.on_applied:
            self.on_applied(want, True)
        return want

    def triggers(self) -> list[CronTrigger]:
        return cron_triggers(self.schedule)

    def add_jobs(self, scheduler: JobScheduler) -> list[str]:
        """Apply now and add one cron job per switch time to an APScheduler 3 scheduler."""
        self.apply()
        if self.schedule.always_on:
            return []
        ids = []
        for i, trigger in enumerate(self.triggers()):
            job = scheduler.add_job(
                self.apply, trigger, id=f"display-power-{i}", replace_existing=True,
                misfire_grace_time=MISFIRE_GRACE_S, coalesce=True, max_instances=1,
            )
            ids.append(job.id)
        return ids


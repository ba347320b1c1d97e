"""What plays when: the schedule engine walked from one of its deadlines to the next.

Pure Python (no Kivy). The engine answers "what plays at ``now``, and until when does that
hold" (:attr:`player.engine.NowPlaying.valid_until`); asking again exactly at each
deadline gives every change and nothing between them, so a week of posters with
day-parts costs a few answers a day, and a spring or autumn clock change is the engine's
business (its rules are in local wall-clock time), not a step of fixed length.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from content_cache import LiveContent
from player.engine import NowPlaying, ScheduleEngine

from .titles import item_title

MAX_ANSWERS = 20_000  # a week of minute-by-minute changes is ~10,000: a bound, not a limit met
NO_ENGINE_PROGRESS = timedelta(seconds=1)  # never re-asked at the same instant


@dataclass(frozen=True)
class Span:
    """``what`` plays (or is up, for an alert) from ``start`` to ``end``, in UTC: two
    local times of one zone compare by their wall clock, which orders the repeated
    autumn hour wrongly (``.astimezone(tz)`` for the site's time)."""

    what: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class PlaylistWeek:
    """One playlist over the walked range: its items' spans and the alerts' (id, mode)."""

    playlist: str
    items: tuple[Span, ...]
    alerts: tuple[Span, ...]
    alert_modes: dict[str, str]


def walk(engine: ScheduleEngine, content: LiveContent, start: datetime, end: datetime, *,
         playlist: str | None = None, lang: str | None = None) -> Iterator[tuple[datetime, datetime, NowPlaying]]:
    """The engine's answers from ``start`` to ``end``: (from, until, answer), each holding
    over [from, until) — consecutive, in UTC (see :class:`Span`)."""
    t = start.astimezone(UTC)
    end = end.astimezone(UTC)
    for _ in range(MAX_ANSWERS):
        if t >= end:
            return
        answer = engine.now_playing(content, t, playlist_id=playlist, lang=lang)
        until = min(answer.valid_until.astimezone(UTC), end)
        if until <= t:
            until = t + NO_ENGINE_PROGRESS
        yield t, until, answer
        t = until


def leaves_loop(engine: ScheduleEngine, content: LiveContent, item_ids: Iterable[str], start: datetime, *,
                horizon: timedelta = timedelta(days=400), playlist: str | None = None,
                lang: str | None = None) -> dict[str, datetime | None]:
    """When each of ``item_ids`` (playing at ``start``) first leaves the loop, in UTC;
    None for one still in it after ``horizon`` (the walk found no end). One walk for all."""
    left: dict[str, datetime | None] = dict.fromkeys(item_ids)
    waiting = set(left)
    for t, _until, answer in walk(engine, content, start, start + horizon, playlist=playlist, lang=lang):
        playing = {i.id for i in answer.items}
        for item_id in waiting - playing:
            left[item_id] = t
        waiting &= playing
        if not waiting:
            break
    return left


def week_start(day: date, tz: ZoneInfo) -> datetime:
    """Monday 00:00 (local) of the week of ``day``."""
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time(0, 0), tzinfo=tz)


def week_of(engine: ScheduleEngine, content: LiveContent, monday: datetime, *, lang: str | None = None,
            days: int = 7) -> list[PlaylistWeek]:
    """Each playlist of ``content`` (the site's first) from ``monday`` for ``days`` days."""
    tz = ZoneInfo(content.timezone)
    first = monday.astimezone(tz).date()
    start = datetime.combine(first, time(0, 0), tzinfo=tz)
    end = datetime.combine(first + timedelta(days=days), time(0, 0), tzinfo=tz)
    order = [content.default_playlist, *sorted(p for p in content.playlists if p != content.default_playlist)]
    out = []
    for pid in order:
        if pid not in content.playlists:
            continue
        items: dict[str, list[list[datetime]]] = {}
        alerts: dict[str, list[list[datetime]]] = {}
        modes: dict[str, str] = {}
        for t, until, answer in walk(engine, content, start, end, playlist=pid, lang=lang):
            for item_id in dict.fromkeys(i.id for i in answer.items):
                _extend(items.setdefault(item_id, []), t, until)
            for alert in answer.alerts:
                modes[alert.id] = alert.mode
                _extend(alerts.setdefault(alert.id, []), t, until)
        out.append(PlaylistWeek(pid, _spans(items), _spans(alerts), modes))
    return out


def _extend(spans: list[list[datetime]], t: datetime, until: datetime) -> None:
    if spans and spans[-1][1] == t:
        spans[-1][1] = until  # the same showing, through an answer that changed something else
    else:
        spans.append([t, until])


def _spans(by_id: dict[str, list[list[datetime]]]) -> tuple[Span, ...]:
    flat = [Span(what, s, e) for what, spans in by_id.items() for s, e in spans]
    return tuple(sorted(flat, key=lambda s: (s.start, s.what)))


@dataclass(frozen=True)
class WeekRow:
    """One line of the calendar: an item (or an alert) and when it is on screen."""

    id: str
    title: str
    kind: str  # image | video | bulletin | alert
    spans: tuple[Span, ...]
    mode: str = ""  # an alert's: fullscreen | banner


@dataclass(frozen=True)
class WeekView:
    """A playlist's week as the calendar draws it: its items in the playlist's order
    (those that never play this week too, with no span), then the alerts."""

    playlist: str
    name: str
    rows: tuple[WeekRow, ...]


def week_view(week: PlaylistWeek, content: LiveContent, lang: str) -> WeekView:
    playlist = content.playlist(week.playlist)
    by_item: dict[str, list[Span]] = {}
    for span in week.items:
        by_item.setdefault(span.what, []).append(span)
    rows = []
    seen: set[str] = set()
    for item in playlist.items if playlist is not None else ():
        if item.id in seen:
            continue
        seen.add(item.id)
        rows.append(WeekRow(item.id, item_title(item, lang), item.kind, tuple(by_item.get(item.id, ()))))
    by_alert: dict[str, list[Span]] = {}
    for span in week.alerts:
        by_alert.setdefault(span.what, []).append(span)
    bulletins = {b.id: b for b in content.bulletins}
    for alert_id, spans in by_alert.items():
        title = bulletins[alert_id].title.get(lang) if alert_id in bulletins else alert_id
        rows.append(WeekRow(alert_id, title, "alert", tuple(spans), week.alert_modes.get(alert_id, "")))
    name = playlist.name.get(lang) if playlist is not None and playlist.name else ""
    return WeekView(week.playlist, name, tuple(rows))

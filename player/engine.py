"""The schedule engine: what plays now, which alerts are up, and until when that holds.

Pure Python, no Kivy, no clock reading: ``now`` is always passed in (tz-aware). The
answer is a frozen :class:`NowPlaying`; the player asks again at ``valid_until`` (or when
its clock jumps backwards, see :meth:`NowPlaying.holds`). Semantics are documented in
docs/content-api.md, "Scheduling rules". The answer's values are in
:mod:`player.now_playing` (why an item plays: :mod:`player.play_reason`), and
importable from here.
"""
from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from content_cache import DEFAULT_TIMEZONE, ItemData, LiveContent

from .item_rules import CompiledPlaylist, LocalDay
from .localtime import NEVER, from_us, to_us
from .neutrality import NeutralityGuard, ReservePeriod, Withheld, guard_for
from .now_playing import BANNER, FULLSCREEN, SEVERITY_RANK, Alert, NowPlaying, alert_mode, item_label
from .play_reason import PlayReason, _Explainer

# The engine's public names, also those of its answer (now in player.now_playing and
# player.play_reason), which callers import from here.
__all__ = [
    "BANNER",
    "FULLSCREEN",
    "SEVERITY_RANK",
    "Alert",
    "ClockPolicy",
    "NowPlaying",
    "PlayReason",
    "ScheduleEngine",
    "alert_mode",
    "item_label",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClockPolicy:
    """When the wall clock is believed: within [published_at - behind, published_at + ahead).

    A Pi without a real-time clock may boot in 1970 or far in the future; time rules
    would then show stale or not-yet-valid content, so only rule-free items play.
    """

    behind: timedelta = timedelta(days=1)
    ahead: timedelta = timedelta(days=5 * 365 + 1)
    recheck: timedelta = timedelta(seconds=60)


class _CompiledContent:
    def __init__(self, content: LiveContent, local_neutrality: object = None) -> None:
        try:
            self.tz = ZoneInfo(content.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = ZoneInfo(DEFAULT_TIMEZONE)
        self.guard: NeutralityGuard = guard_for(content, local_neutrality)
        for line in self.guard.rules.problems:
            log.warning("content %s: %s", content.version_id, line)
        self._withheld: dict[str, dict[int, Withheld]] = {}
        self.holidays = frozenset(h.day.toordinal() for h in content.holidays)
        self.published_us = to_us(content.published_at)
        self.alerts: list[tuple[int, int, tuple[object, ...], Alert]] = []
        for b in content.bulletins:
            mode = alert_mode(b)
            if mode is None:
                continue
            start = to_us(b.valid_from) if b.valid_from else -NEVER
            end = to_us(b.valid_until) if b.valid_until else NEVER
            # Most severe first, full screen before banner, newest first, then by id.
            order = (-SEVERITY_RANK.get(b.severity, 0), mode != FULLSCREEN, -start, b.id)
            self.alerts.append((start, end, order, Alert(b, mode)))
        self.alerts.sort(key=lambda a: a[2])
        self._content = content
        self._playlists: dict[str, CompiledPlaylist | None] = {}

    def playlist(self, playlist_id: str | None) -> CompiledPlaylist | None:
        key = playlist_id or self._content.default_playlist
        if key not in self._playlists:
            data = self._content.playlists.get(key)
            self._playlists[key] = CompiledPlaylist(data) if data else None
        return self._playlists[key]

    def withheld(self, pl: CompiledPlaylist) -> dict[int, Withheld]:
        """Index → why, for the items of ``pl`` withheld while a reserve period is on."""
        if pl.id not in self._withheld:
            out = {}
            for i, item in enumerate(pl.items):
                w = self.guard.item(item, item_label(item))
                if w is not None:
                    out[i] = w
            self._withheld[pl.id] = out
        return self._withheld[pl.id]


class ScheduleEngine:
    """Answers "what plays now, and until when must I not ask again".

    Keeps the last content's compiled rules (rebuilt when another content object comes)
    and the clock's trust state, to log its transitions once rather than on every call.
    """

    def __init__(self, clock: ClockPolicy | None = None, *, neutrality: object = None) -> None:
        """``neutrality``: the device's ``[neutrality]`` config (raw), over the content's."""
        self.clock = clock or ClockPolicy()
        self.local_neutrality = neutrality
        self._compiled: tuple[weakref.ref[LiveContent], _CompiledContent] | None = None
        self._clock_trusted: bool | None = None
        self._reserve_on: bool | None = None
        self._withheld_logged: set[str] = set()

    def compile(self, content: LiveContent) -> _CompiledContent:
        """Compile ``content``'s rules now (otherwise done by the first call for it)."""
        if self._compiled is not None and self._compiled[0]() is content:
            return self._compiled[1]
        compiled = _CompiledContent(content, self.local_neutrality)
        self._compiled = (weakref.ref(content), compiled)
        self._withheld_logged = set()  # logged once per item and content version
        return compiled

    def now_playing(
        self,
        content: LiveContent,
        now: datetime,
        *,
        playlist_id: str | None = None,
        lang: str | None = None,
        exclude_tags: Iterable[str] = (),
        require_tags: Iterable[str] = (),
    ) -> NowPlaying:
        """The answer at ``now`` for ``playlist_id`` (default: the site's playlist).

        ``lang``: the display language (default: the site's first); items restricted to
        other languages are left out. ``exclude_tags``: items carrying any of them are
        left out. ``require_tags``: if given, only items carrying at least one play.
        """
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the schedule engine needs a tz-aware now")
        comp = self.compile(content)
        now_us = to_us(now)
        pub = comp.published_us
        low, high = pub - _us(self.clock.behind), pub + _us(self.clock.ahead)
        trusted = low <= now_us < high
        self._note_clock(trusted, now, content.published_at)
        if trusted:
            nxt = high
        else:
            nxt = now_us + _us(self.clock.recheck)
            if now_us < low:
                nxt = min(nxt, low)

        period = comp.guard.period_at(now, clock_trusted=trusted) if comp.guard else None
        if comp.guard and trusted:
            change = comp.guard.next_change(now)
            if change is not None:
                nxt = min(nxt, to_us(change))
        self._note_reserve(period, content.version_id)

        alerts: list[Alert] = []
        if trusted:
            for start, end, _order, alert in comp.alerts:
                if now_us < start:
                    nxt = min(nxt, start)
                elif now_us < end:
                    nxt = min(nxt, end)
                    alerts.append(alert)

        pl = comp.playlist(playlist_id)
        items: tuple[ItemData, ...] = ()
        top: int | None = None
        tier: list[int] = []
        states: list[tuple[bool, int] | None] = []
        day: LocalDay | None = None
        withheld: list[Withheld] = []
        if pl is not None:
            held = comp.withheld(pl) if period is not None else {}
            lang = lang or (content.languages[0] if content.languages else "fr")
            cand = pl.candidates(lang, frozenset(exclude_tags), frozenset(require_tags), trusted)
            states = [None] * len(pl.rules)
            starts, ends, rules = pl.start, pl.end, pl.rule
            active: list[int] = []
            for i in cand:
                s = starts[i]
                if now_us < s:
                    if s < nxt:
                        nxt = s
                    continue
                e = ends[i]
                if now_us >= e:
                    continue
                if e < nxt:
                    nxt = e
                r = rules[i]
                if r >= 0:
                    st = states[r]
                    if st is None:
                        if day is None:
                            day = LocalDay(now_us, comp.tz, comp.holidays)
                        st = states[r] = pl.rule_at(r, day)
                    if st[1] < nxt:
                        nxt = st[1]
                    if not st[0]:
                        continue
                if held and i in held:
                    withheld.append(held[i])
                    continue
                active.append(i)
            if alerts:
                # An alert's bulletin is shown as the alert, not again inside the loop.
                alert_ids = {a.id for a in alerts}
                bids = pl.bulletin_id
                active = [i for i in active if bids[i] not in alert_ids]
            if active:
                prio = pl.priority
                top = max([prio[i] for i in active])
                tier = [i for i in active if prio[i] == top]
                items = pl.loop(tier)

        explain = _Explainer(pl, tier, day, trusted, comp.tz)
        return NowPlaying(
            items=items,
            alerts=tuple(alerts),
            fallback=not items and not any(a.mode == FULLSCREEN for a in alerts),
            valid_until=from_us(nxt, UTC),
            computed_at=now,
            clock_trusted=trusted,
            playlist_id=pl.id if pl else None,
            priority=top,
            _explain=explain,
            reserve=period,
            withheld=self._log_withheld(withheld, content.version_id),
        )

    def _log_withheld(self, withheld: list[Withheld], version: str) -> tuple[Withheld, ...]:
        for w in withheld:
            if w.item_id not in self._withheld_logged:
                self._withheld_logged.add(w.item_id)
                log.info("content %s: item %s withheld: %s", version, w.item_id, w.describe())
        return tuple(withheld)

    def _note_reserve(self, period: ReservePeriod | None, version: str) -> None:
        on = period is not None
        if on == self._reserve_on:
            return
        if period is not None:
            log.warning("content %s: %s; tagged items, hidden categories and outside links are "
                        "withheld", version, period.describe())
        elif self._reserve_on:
            log.info("the election reserve period is over: withheld content plays again")
        self._reserve_on = on

    def _note_clock(self, trusted: bool, now: datetime, published_at: datetime) -> None:
        if trusted == self._clock_trusted:
            return
        if not trusted:
            log.warning(
                "the clock reads %s, implausible for content published %s: playing only "
                "items without time rules until the clock is set",
                now.isoformat(timespec="seconds"), published_at.isoformat(timespec="seconds"),
            )
        elif self._clock_trusted is False:
            log.info("the clock reads %s again plausibly: time rules apply",
                     now.isoformat(timespec="seconds"))
        self._clock_trusted = trusted


def _us(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)

"""The pure playback state: what plays now and next, asked of the schedule engine. No Kivy.

The player (:class:`kiosk.app.player_app.PlayerApp`) holds one and asks it at each slide
boundary; tests drive it without a window.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from content_cache import DEFAULT_TIMEZONE, ItemData, LiveContent
from kiosk.app.options import PlayerOptions
from kiosk.app.player_cache import PlayerCache
from player.engine import NowPlaying, ScheduleEngine
from player.neutrality import Withheld
from player.rotation import Rotation
from player.schedule import alert_item, is_alert_slide, poster_seconds, slide_seconds

log = logging.getLogger(__name__)


class PlaybackState:
    """What the player plays, independent of Kivy: content, the engine's answer, rotation.

    The app asks :meth:`next_item` at each slide boundary and :meth:`refresh` when the
    answer's deadline comes or a new version is noticed, so alerts apply at once while
    loop changes wait for the current slide to end.
    """

    def __init__(self, cache: PlayerCache, options: PlayerOptions, now: Callable[[], datetime]) -> None:
        self.cache = cache
        self.options = options
        self._now_utc = now
        self.content: LiveContent | None = None
        self.generation = -1
        self.epoch = -1  # the cache's reader read from (PlayerCache.epoch)
        self.engine = ScheduleEngine(neutrality=options.config.neutrality if options.config else None)
        self.answer: NowPlaying | None = None
        self._kiosk_logged: set[tuple[str, str, str]] = set()
        self.rotation = Rotation()
        self.reload_pending = True

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.content.timezone if self.content else DEFAULT_TIMEZONE)

    def now(self) -> datetime:
        return self._now_utc().astimezone(self.tz)

    @property
    def lang(self) -> str:
        if self.options.lang:
            return self.options.lang
        return self.content.languages[0] if self.content else "fr"

    @property
    def second_lang(self) -> str | None:
        if not self.content:
            return None
        others = [lang for lang in self.content.languages if lang != self.lang]
        return others[0] if others else None

    def poll(self) -> bool:
        """Cheap check of the live pointer; True if a new version is waiting (or the cache
        was opened anew: its content may have changed)."""
        gen = self.cache.live_state().generation
        if gen != self.generation or self.cache.epoch != self.epoch:
            self.reload_pending = True
        return self.reload_pending

    def refresh(self) -> NowPlaying | None:
        """Reload the content if a new version is live, and ask the engine again."""
        if self.reload_pending:
            self.epoch = self.cache.epoch
            self.content = self.cache.read_live()
            self.generation = self.content.generation if self.content else self.cache.live_state().generation
            self.reload_pending = False
            self.answer = None
        if self.content is None:
            return None
        now = self.now()
        if self.answer is None or not self.answer.holds(now):
            before = self.answer
            self.answer = self.engine.now_playing(self.content, now, playlist_id=self.options.playlist,
                                                  lang=self.lang)
            self.rotation.set_plan(self.answer)
            if before is None or [i.id for i in before.items] != [i.id for i in self.answer.items]:
                log.info("content %s: %d item(s) in the loop, %d alert(s)%s", self.content.version_id,
                         len(self.answer.items), len(self.answer.alerts),
                         "" if self.answer.clock_trusted else ", clock untrusted")
        return self.answer

    def kiosk_content(self) -> tuple[LiveContent | None, tuple[Withheld, ...]]:
        """The content for the touch kiosk now: during an election reserve period, without
        the pages the neutrality policy withholds (and which ones, for the play log)."""
        content = self.content
        if content is None:
            return None, ()
        guard = self.engine.compile(content).guard
        trusted = self.answer.clock_trusted if self.answer else True
        if not guard or guard.period_at(self.now(), clock_trusted=trusted) is None:
            return content, ()
        shown, withheld = guard.filter_kiosk(content)
        for w in withheld:  # once per page and content version, as the engine does for items
            key = (content.version_id, w.surface, w.item_id)
            if key not in self._kiosk_logged:
                self._kiosk_logged.add(key)
                log.info("content %s: kiosk page %s/%s withheld: %s", content.version_id, w.surface,
                         w.item_id, w.describe())
        return shown, withheld

    def seconds_to_deadline(self) -> float:
        if self.answer is None:
            return 60.0
        left = (self.answer.valid_until - self.now()).total_seconds()
        # Re-check at least every minute: a clock set by NTP may jump either way.
        return min(max(left, 0.05), 60.0)

    def next_item(self) -> ItemData | None:
        answer = self.refresh()
        if answer is None:
            return None
        alert = answer.fullscreen_alert
        if alert is not None:
            return alert_item(alert)
        return self.rotation.next_item()

    def reason(self, item: ItemData | None) -> str:
        if item is None:
            return "nothing playable: fallback"
        if is_alert_slide(item.id) and self.answer and self.answer.fullscreen_alert:
            return f"full-screen alert {self.answer.fullscreen_alert.id} ({self.answer.fullscreen_alert.severity})"
        why = self.answer.reason(item.id) if self.answer else None
        where = f"playlist {self.answer.playlist_id}" if self.answer else "playlist"
        return f"{where}: {why}" if why else where

    def seconds_for(self, item: ItemData, *, poster: bool = False) -> float:
        """How long ``item``'s slide stays up; ``poster``: its video could not play and its
        poster card stands in for it."""
        if poster:
            return poster_seconds(item, self.options.limits)
        return slide_seconds(item, self.options.limits)

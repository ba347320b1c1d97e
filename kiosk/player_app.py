"""`kiosk player`: the full-screen Kivy application playing the live content from the cache.

It never touches the network. It notices a new live version by polling one row of the
cache (the live pointer's generation) and switches at the next slide boundary.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from content_cache import ContentCache, ItemData, LiveContent
from player.schedule import DurationLimits, PlayPlan, Rotation, plan_playlist, slide_seconds

from .cache_open import open_cache
from .kivy_env import prepare_kivy

log = logging.getLogger(__name__)

DEFAULT_TZ = "Europe/Paris"


@dataclass(frozen=True)
class PlayerOptions:
    data_dir: Path
    fullscreen: bool = True
    headless: bool = False
    screenshots: Path | None = None
    duration_s: float | None = None
    size: tuple[int, int] = (1280, 720)
    lang: str | None = None
    playlist: str | None = None
    limits: DurationLimits = field(default_factory=DurationLimits)
    poll_s: float = 2.0
    # Delay between a slide appearing and its screenshot (video needs its first frames).
    screenshot_delay_s: float = 0.6


def run_player(options: PlayerOptions, now: Callable[[], datetime] | None = None) -> int:
    """Configure Kivy, run the app until closed (or ``duration_s``); returns an exit code."""
    prepare_kivy(
        options.data_dir / "kivy",
        headless=options.headless,
        fullscreen=options.fullscreen,
        size=options.size,
    )
    from ._player_ui import PlayerApp  # Kivy is imported only now, configured

    cache = open_cache(options.data_dir, now)
    try:
        app = PlayerApp(options, cache, now or (lambda: datetime.now(timezone.utc)))
        app.run()
        return app.exit_code
    finally:
        cache.close()


class PlaybackState:
    """What the player plays, independent of Kivy: content, plan and rotation."""

    def __init__(self, cache: ContentCache, options: PlayerOptions, now: Callable[[], datetime]) -> None:
        self.cache = cache
        self.options = options
        self._now_utc = now
        self.content: LiveContent | None = None
        self.generation = -1
        self.rotation = Rotation()
        self.reload_pending = True

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.content.timezone if self.content else DEFAULT_TZ)

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
        """Cheap check of the live pointer; True if a new version is waiting."""
        gen = self.cache.live_state().generation
        if gen != self.generation:
            self.reload_pending = True
        return self.reload_pending

    def next_item(self) -> ItemData | None:
        now = self.now()
        if self.reload_pending:
            self.content = self.cache.read_live()
            self.generation = self.content.generation if self.content else self.cache.live_state().generation
            self.reload_pending = False
            self.rotation.set_plan(plan_playlist(self.content, now, self.options.playlist) if self.content else PlayPlan((), None, None))
            if self.content:
                log.info("playing content version %s (%d item(s) now)",
                         self.content.version_id, len(self.rotation.plan.items))
        elif self.content and (self.rotation.plan.valid_until and now >= self.rotation.plan.valid_until):
            self.rotation.set_plan(plan_playlist(self.content, now, self.options.playlist))
        return self.rotation.next_item()

    def seconds_for(self, item: ItemData) -> float:
        return slide_seconds(item, self.options.limits)


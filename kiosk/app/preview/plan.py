"""What the screens show at one instant, and why: the slides of the contact sheet and the
facts of its JSON, from the schedule engine's answer. Pure Python (no Kivy).

The sheet shows what the player would: the loop's items in their order (once each, however
heavy their weight), a full-screen alert instead of the loop while one is up, the
fallback card when nothing plays; banner alerts go over every slide.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image

from content_cache import ItemData, LiveContent
from player.engine import Alert, NowPlaying, ScheduleEngine
from player.schedule import DurationLimits, alert_item, slide_seconds
from player.ticker import ticker_text

from .titles import item_title, until_words
from .week import leaves_loop

FALLBACK_ID = "fallback"  # the card the player shows when nothing plays (kiosk.app.next_slide)


@dataclass(frozen=True)
class PlannedSlide:
    """One tile of the sheet: ``item`` is None for the fallback card."""

    item: ItemData | None
    title: str
    reason: str
    seconds: float  # how long the player keeps it up
    until: datetime | None = None  # when it leaves the screen (UTC); None: no end found
    weight: int = 1  # times it comes in one turn of the loop

    @property
    def id(self) -> str:
        return self.item.id if self.item is not None else FALLBACK_ID

    @property
    def kind(self) -> str:
        if self.item is None:
            return "fallback"
        return "alert" if self.item.position < 0 else self.item.kind


@dataclass(frozen=True)
class DrawnSlide:
    """A slide as the renderer drew it: ``image`` is the whole screen (bands included);
    ``problem`` says why the player would not show it (the stage is then left empty) or
    why a video's poster card stands in for it (``shown_as`` "video-poster")."""

    slide: PlannedSlide
    image: Image.Image
    problem: str = ""
    shown_as: str = ""


@dataclass(frozen=True)
class LoopPlan:
    at: datetime  # the instant, in the site's time zone
    lang: str
    playlist: str | None
    slides: tuple[PlannedSlide, ...]
    alerts: tuple[Alert, ...]
    answer: NowPlaying
    withheld: tuple[tuple[str, str], ...] = field(default=())  # (item id, why) in a reserve period

    @property
    def fullscreen(self) -> Alert | None:
        return self.answer.fullscreen_alert

    @property
    def banner(self) -> tuple[Alert, ...]:
        return self.answer.banner_alerts

    def facts(self, skipped: dict[str, str] | None = None) -> dict[str, Any]:
        """The JSON beside the sheet; ``skipped``: tiles the renderer could not draw (the
        player skips them too), by id, with why."""
        tz = self.at.tzinfo
        assert isinstance(tz, ZoneInfo)  # loop_plan puts the instant in the site's zone
        skipped = skipped or {}

        def when(t: datetime | None) -> str | None:
            return t.astimezone(tz).isoformat(timespec="minutes") if t is not None else None

        items = []
        for s in self.slides:
            facts: dict[str, Any] = {"id": s.id, "kind": s.kind, "title": s.title, "reason": s.reason,
                                     "until": when(s.until), "until_text": until_words(s.until, tz, self.lang),
                                     "duration": s.seconds}
            if s.weight > 1:
                facts["weight"] = s.weight
            if s.id in skipped:
                facts["skipped"] = skipped[s.id]
            items.append(facts)
        return {
            "at": self.at.isoformat(timespec="minutes"),
            "playlist": self.playlist,
            "lang": self.lang,
            "items": items,
            "alerts": [{"id": a.id, "severity": a.severity, "mode": a.mode, "title": a.bulletin.title.get(self.lang),
                        "until": when(a.bulletin.valid_until)} for a in self.alerts],
            "withheld": [{"id": i, "why": why} for i, why in self.withheld],
            "valid_until": when(self.answer.valid_until),
        }


def loop_plan(content: LiveContent, at: datetime, *, playlist: str | None = None, lang: str | None = None,
              engine: ScheduleEngine | None = None, limits: DurationLimits | None = None) -> LoopPlan:
    """What plays at ``at`` on ``playlist`` (default: the site's), shown in ``lang``
    (default: the site's first language)."""
    engine = engine or ScheduleEngine()
    limits = limits or DurationLimits()
    lang = lang or (content.languages[0] if content.languages else "fr")
    at = at.astimezone(ZoneInfo(content.timezone))
    answer = engine.now_playing(content, at, playlist_id=playlist, lang=lang)
    slides: list[PlannedSlide] = []
    full = answer.fullscreen_alert
    if full is not None:
        item = alert_item(full)
        slides.append(PlannedSlide(item, full.bulletin.title.get(lang), f"full-screen alert ({full.severity})",
                                   slide_seconds(item, limits), full.bulletin.valid_until))
    elif answer.items:
        weights: dict[str, int] = {}
        first: dict[str, ItemData] = {}
        for item in answer.items:
            weights[item.id] = weights.get(item.id, 0) + 1
            first.setdefault(item.id, item)
        left = leaves_loop(engine, content, first, at, playlist=playlist, lang=lang)
        for item_id, item in first.items():
            why = answer.reason(item_id)
            # Still in the loop at the walk's horizon: it plays on to the end of its window.
            until = left[item_id] or (why.valid_until if why is not None else None)
            slides.append(PlannedSlide(item, item_title(item, lang), str(why) if why else "",
                                       slide_seconds(item, limits), until, weights[item_id]))
    else:
        slides.append(PlannedSlide(None, content.site_name.get(lang), "nothing plays: the town's name and the date",
                                   limits.clamp(30.0), _next_change(answer)))
    return LoopPlan(at, lang, answer.playlist_id, tuple(slides), answer.alerts, answer,
                    tuple((w.item_id, w.describe()) for w in answer.withheld))


def _next_change(answer: NowPlaying) -> datetime | None:
    far = answer.computed_at + timedelta(days=365)
    return answer.valid_until if answer.valid_until < far else None


def ticker_titles(content: LiveContent, plan: LoopPlan) -> tuple[str, ...]:
    """What a screen's ticker strip says at the plan's instant (as the player's bands ask
    it): the non-alert bulletins' titles; none under a full-screen alert."""
    if plan.fullscreen is not None:
        return ()
    return ticker_text(content.bulletins, plan.at, plan.lang, plan.answer.clock_trusted).titles

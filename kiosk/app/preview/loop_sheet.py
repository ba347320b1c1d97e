"""The loop's contact sheet: each drawn slide labelled with its number, id, duration,
title and until when it plays, under a heading naming the screen, the instant and the
alerts. Pure (Pillow, no Kivy); texts in the display language.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image

from content_cache import LiveContent
from kiosk.app.preview.plan import DrawnSlide, LoopPlan
from kiosk.app.preview.sheet import Box, Label, SheetTile, compose
from kiosk.app.preview.titles import until_words
from kiosk.touch import timefmt
from player.i18n import gettext_for


def when_text(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """``Mardi 24 novembre 2026 · 09:00``."""
    local = moment.astimezone(tz)
    return f"{timefmt.day_heading(local.date(), lang)} {local.year} · {timefmt.clock(local, tz, lang)}"


def seconds_text(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds == int(seconds) else f"{seconds:.1f} s"


def loop_sheet(plan: LoopPlan, drawn: Sequence[DrawnSlide], content: LiveContent,
               screen: tuple[int, int]) -> tuple[Image.Image, list[Box]]:
    """The sheet of ``drawn`` (in the plan's order) and each slide's box on it."""
    _ = gettext_for(plan.lang)
    tz = ZoneInfo(content.timezone)
    playlist = content.playlist(plan.playlist)
    name = playlist.name.get(plan.lang) if playlist is not None and playlist.name else ""
    where = f"{name} ({plan.playlist})" if name else (plan.playlist or "")
    heading = [Label(f"{content.site_name.get(plan.lang)} · {where}", "strong"),
               Label(when_text(plan.at, tz, plan.lang), "text")]
    if plan.fullscreen is not None:
        heading.append(Label(_("Full-screen alert: the loop is interrupted"), "problem"))
    elif plan.banner:
        titles = " · ".join(a.bulletin.title.get(plan.lang) for a in plan.banner)
        heading.append(Label(_("Banner alert: {titles}").format(titles=titles), "problem"))
    if plan.withheld:
        heading.append(Label(_("Withheld during the election reserve period: {items}").format(
            items=", ".join(i for i, _why in plan.withheld)), "muted"))
    tiles = []
    for n, d in enumerate(drawn, start=1):
        s = d.slide
        # A video without a duration plays to its end, never longer than the cap.
        to_its_end = s.item is not None and s.item.kind == "video" and s.item.duration_s is None
        top = f"{n} · {s.id} · {'≤ ' if to_its_end else ''}{seconds_text(s.seconds)}"
        if s.weight > 1:
            top += f" · ×{s.weight}"
        labels = [Label(top, "strong"), Label(s.title or "—", "text")]
        if d.problem and d.shown_as == "video-poster":
            labels.append(Label(_("Its poster card instead: {reason}").format(reason=d.problem), "problem"))
        elif d.problem:
            labels.append(Label(_("Not shown: {reason}").format(reason=d.problem), "problem"))
        else:
            labels.append(Label(until_words(s.until, tz, plan.lang), "muted"))
        tiles.append(SheetTile(d.image, tuple(labels), marked=bool(d.problem)))
    return compose(tiles, heading, screen=screen)

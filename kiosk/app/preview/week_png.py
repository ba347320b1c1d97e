"""The week's calendar as a picture: per playlist, one line per item (and per alert) and a
bar for each time it is on screen, Monday to Sunday, by the site's wall clock (a spring
Sunday has no 02:00-03:00, an autumn one has it twice, drawn once). Pure (Pillow).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from PIL import Image, ImageDraw

from kiosk.app.preview.sheet import INK, MUTED, PAGE, PROBLEM, fit_text, font
from kiosk.app.preview.week import WeekView
from kiosk.touch import timefmt
from player.i18n import gettext_for

MARGIN = 24
NAME_W = 330
DAY_W = 150
ROW_H = 30
BAR_PAD = 6
HEAD_LINE = 34
SECTION_GAP = 28
DAY_HEAD = 26
HOUR_HEAD = 18
GRID = (214, 218, 223)
DAY_LINE = (150, 156, 163)
ROW_SHADE = (234, 236, 239)
# Bars by what is on screen (white text never goes on them: the names are beside).
KIND_COLOURS = {
    "image": (31, 95, 168),
    "video": (111, 66, 160),
    "bulletin": (14, 124, 112),
    "alert": PROBLEM,
    "banner": (204, 122, 0),
}


@dataclass(frozen=True)
class WeekLayout:
    """Where things are on the picture (also written to the JSON, for a page that points
    at them): ``x_of`` a local time; each row's vertical middle, by playlist and id."""

    monday: date
    grid_x: int
    day_w: int
    rows: dict[str, dict[str, int]]
    width: int
    height: int

    def x_of(self, local: datetime) -> float:
        """A wall-clock time of the week (local to the site) → its x on the picture."""
        days = (local.date() - self.monday).days
        return self.grid_x + (days + (local.hour * 60 + local.minute) / 1440) * self.day_w

    def facts(self) -> dict[str, Any]:
        return {"grid_x": self.grid_x, "day_width": self.day_w, "rows": self.rows}


def bar_key(kind: str, mode: str) -> str:
    """The legend's entry for a row: its kind, or "banner" for a banner alert."""
    if kind == "alert" and mode == "banner":
        return "banner"
    return kind if kind in KIND_COLOURS else "image"


def bar_colour(kind: str, mode: str) -> tuple[int, int, int]:
    return KIND_COLOURS[bar_key(kind, mode)]


def day_label(day: date, lang: str) -> str:
    return timefmt.capitalise(format_date(day, "EEE d/M", locale=timefmt.locale_for(lang)))


def week_png(views: Sequence[WeekView], heading: Sequence[str], monday: date, tz: ZoneInfo, lang: str,
             at: datetime | None = None) -> tuple[Image.Image, WeekLayout]:
    _ = gettext_for(lang)
    grid_x = MARGIN + NAME_W
    width = grid_x + 7 * DAY_W + MARGIN
    legend_h = HEAD_LINE
    height = MARGIN + len(heading) * HEAD_LINE + 8 + legend_h
    for view in views:
        height += SECTION_GAP + HEAD_LINE + DAY_HEAD + HOUR_HEAD + max(1, len(view.rows)) * ROW_H
    height += MARGIN
    image = Image.new("RGB", (width, height), PAGE)
    draw = ImageDraw.Draw(image)
    rows: dict[str, dict[str, int]] = {}
    layout = WeekLayout(monday, grid_x, DAY_W, rows, width, height)
    y = MARGIN
    for i, line in enumerate(heading):
        face = font(26 if i == 0 else 19, bold=i == 0)
        draw.text((MARGIN, y), fit_text(line, face, width - 2 * MARGIN), font=face, fill=INK)
        y += HEAD_LINE
    y += 8
    y = _legend(draw, y, _)
    small, label, strong = font(14), font(16), font(20, bold=True)
    for view in views:
        y += SECTION_GAP
        title = f"{view.name} ({view.playlist})" if view.name else view.playlist
        draw.text((MARGIN, y), fit_text(title, strong, width - 2 * MARGIN), font=strong, fill=INK)
        y += HEAD_LINE
        for d in range(7):
            x = grid_x + d * DAY_W
            draw.text((x + 6, y + 2), day_label(monday + timedelta(days=d), lang), font=label, fill=INK)
            for h in (6, 12, 18):
                draw.text((x + h * DAY_W / 24 - 8, y + DAY_HEAD), f"{h:02d}", font=small, fill=MUTED)
        y += DAY_HEAD + HOUR_HEAD
        top = y
        rows[view.playlist] = {}
        for n, row in enumerate(view.rows or ()):
            ry = top + n * ROW_H
            if n % 2:
                draw.rectangle((MARGIN, ry, width - MARGIN, ry + ROW_H - 1), fill=ROW_SHADE)
            rows[view.playlist][row.id] = ry + ROW_H // 2
        bottom = top + max(1, len(view.rows)) * ROW_H
        for d in range(8):
            x = grid_x + d * DAY_W
            draw.line((x, top, x, bottom), fill=DAY_LINE, width=1)
            if d < 7:
                for h in (6, 12, 18):
                    hx = x + h * DAY_W // 24
                    draw.line((hx, top, hx, bottom), fill=GRID, width=1)
        for n, row in enumerate(view.rows):
            ry = top + n * ROW_H
            name = f"{row.title or row.id} · {row.id}" if row.title and row.title != row.id else row.id
            face = font(16, bold=row.kind == "alert")
            draw.text((MARGIN + 4, ry + 6), fit_text(name, face, NAME_W - 16), font=face,
                      fill=PROBLEM if row.kind == "alert" else (INK if row.spans else MUTED))
            colour = bar_colour(row.kind, row.mode)
            for span in row.spans:
                x0 = layout.x_of(span.start.astimezone(tz))
                x1 = layout.x_of(span.end.astimezone(tz))
                if x1 - x0 < 2:  # a few minutes still show
                    x1 = x0 + 2
                draw.rectangle((round(x0), ry + BAR_PAD, round(x1) - 1, ry + ROW_H - BAR_PAD), fill=colour)
        if not view.rows:
            draw.text((grid_x + 6, top + 6), _("Nothing plays this week"), font=label, fill=MUTED)
        if at is not None and monday <= at.astimezone(tz).date() < monday + timedelta(days=7):
            ax = round(layout.x_of(at.astimezone(tz)))
            draw.line((ax, top - HOUR_HEAD, ax, bottom), fill=PROBLEM, width=2)
        y = bottom
    return image, layout


def _legend(draw: ImageDraw.ImageDraw, y: int, _: Any) -> int:
    face = font(16)
    x = MARGIN
    for key, text in (("image", _("Poster")), ("video", _("Video")), ("bulletin", _("Bulletin")),
                      ("alert", _("Full-screen alert")), ("banner", _("Banner alert"))):
        draw.rectangle((x, y + 6, x + 22, y + 20), fill=KIND_COLOURS[key])
        draw.text((x + 30, y + 3), text, font=face, fill=INK)
        x += 40 + int(face.getlength(text)) + 24
    return y + HEAD_LINE

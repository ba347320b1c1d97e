"""The week's calendar as a web page: the same lines and bars as the picture
(:mod:`.week_png`), each bar with its times in words, and a table of them for reading
aloud. Self-contained (styles inline, no script, nothing fetched) and every content text
escaped: a title with markup shows as text.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from kiosk.app.preview.week import Span, WeekView
from kiosk.app.preview.week_png import KIND_COLOURS, bar_key, day_label
from kiosk.touch import timefmt
from player.i18n import gettext_for

STYLE = """
body { font-family: Roboto, "DejaVu Sans", Arial, sans-serif; background: #f4f5f7; color: #181c21;
       margin: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; } .sub { margin: 0 0 16px; color: #586069; }
h2 { font-size: 20px; margin: 28px 0 8px; }
.legend span { display: inline-block; margin-right: 18px; }
.legend i { display: inline-block; width: 22px; height: 14px; vertical-align: -2px; margin-right: 6px; }
.week { display: grid; grid-template-columns: 330px 1fr; border-top: 1px solid #969ca3; }
.days { display: grid; grid-template-columns: repeat(7, 1fr); }
.days div { border-left: 1px solid #969ca3; padding: 4px 6px; font-weight: bold; }
.name { padding: 5px 4px; height: 20px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.name.off { color: #586069; } .name.alert { color: #b22222; font-weight: bold; }
.lane { position: relative; height: 30px; border-left: 1px solid #969ca3;
        background: repeating-linear-gradient(to right, transparent 0, transparent calc(100% / 7 - 1px),
                    #969ca3 calc(100% / 7 - 1px), #969ca3 calc(100% / 7)); }
.bar { position: absolute; top: 6px; bottom: 6px; min-width: 2px; }
.now { position: absolute; top: 0; bottom: 0; width: 2px; background: #b22222; }
table { border-collapse: collapse; margin-top: 10px; } td, th { text-align: left; padding: 3px 10px 3px 0;
        vertical-align: top; }
details { margin-top: 6px; }
"""


def _pct(value: float) -> str:
    return f"{value:.4f}%"


def week_html(views: Sequence[WeekView], heading: Sequence[str], monday: date, tz: ZoneInfo, lang: str,
              at: datetime | None = None) -> str:
    _ = gettext_for(lang)
    out = [f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">',
           f"<title>{escape(heading[0] if heading else '')}</title><style>{STYLE}</style></head><body>"]
    if heading:
        out.append(f"<h1>{escape(heading[0])}</h1>")
        out += [f'<p class="sub">{escape(line)}</p>' for line in heading[1:]]
    out.append('<p class="legend">')
    for key, text in (("image", _("Poster")), ("video", _("Video")), ("bulletin", _("Bulletin")),
                      ("alert", _("Full-screen alert")), ("banner", _("Banner alert"))):
        out.append(f'<span><i style="background:{_css(KIND_COLOURS[key])}"></i>{escape(text)}</span>')
    out.append("</p>")
    days = [monday + timedelta(days=d) for d in range(7)]
    at_pct = None
    if at is not None and monday <= at.astimezone(tz).date() < monday + timedelta(days=7):
        at_pct = _position(at.astimezone(tz), monday)
    for view in views:
        title = f"{view.name} ({view.playlist})" if view.name else view.playlist
        out.append(f'<section id="playlist-{escape(view.playlist)}"><h2>{escape(title)}</h2>')
        out.append('<div class="week"><div></div><div class="days">')
        out += [f"<div>{escape(day_label(d, lang))}</div>" for d in days]
        out.append("</div>")
        for row in view.rows:
            css = "alert" if row.kind == "alert" else ("" if row.spans else "off")
            name = f"{row.title} · {row.id}" if row.title and row.title != row.id else row.id
            out.append(f'<div class="name {css}" title="{escape(name)}">{escape(name)}</div>')
            out.append(f'<div class="lane" data-id="{escape(row.id)}">')
            colour = _css(KIND_COLOURS[bar_key(row.kind, row.mode)])
            for span in row.spans:
                start, end = span.start.astimezone(tz), span.end.astimezone(tz)
                left, right = _position(start, monday), _position(end, monday)
                words = _span_words(span, tz, lang)
                out.append(f'<div class="bar" style="left:{_pct(left)};width:{_pct(max(right - left, 0.0))};'
                           f'background:{colour}" title="{escape(name)} · {escape(words)}" '
                           f'data-start="{start.isoformat(timespec="minutes")}" '
                           f'data-end="{end.isoformat(timespec="minutes")}"></div>')
            if at_pct is not None:
                out.append(f'<div class="now" style="left:{_pct(at_pct)}"></div>')
            out.append("</div>")
        if not view.rows:
            out.append(f'<div></div><div class="name off">{escape(_("Nothing plays this week"))}</div>')
        out.append("</div>")
        out.append(f"<details><summary>{escape(_('In words'))}</summary><table>")
        for row in view.rows:
            spans = "<br>".join(escape(_span_words(s, tz, lang)) for s in row.spans) or "—"
            out.append(f"<tr><th>{escape(row.title or row.id)}</th><td>{escape(row.id)}</td><td>{spans}</td></tr>")
        out.append("</table></details></section>")
    out.append("</body></html>\n")
    return "\n".join(out)


def _position(local: datetime, monday: date) -> float:
    days = (local.date() - monday).days
    return (days + (local.hour * 60 + local.minute) / 1440) / 7 * 100


def _span_words(span: Span, tz: ZoneInfo, lang: str) -> str:
    start, end = span.start.astimezone(tz), span.end.astimezone(tz)
    first = f"{day_label(start.date(), lang)} {timefmt.clock(start, tz, lang)}"
    if end.date() == start.date() or (end - timedelta(minutes=1)).date() == start.date():
        return f"{first}–{timefmt.clock(end, tz, lang)}"
    return f"{first} – {day_label(end.date(), lang)} {timefmt.clock(end, tz, lang)}"


def _css(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)

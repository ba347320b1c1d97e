"""Opening status and hours as sentences in the visitor's language."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from player.i18n import gettext_for

from . import timefmt
from .hours import OpeningHours, OpenStatus, Slot, open_status

Gettext = Callable[[str], str]


def _slot_text(slot: Slot, lang: str) -> str:
    return f"{timefmt.minutes_clock(slot.start, lang)}–{timefmt.minutes_clock(slot.end, lang)}"


def slots_text(slots: tuple[Slot, ...], lang: str) -> str:
    _ = gettext_for(lang)
    return ", ".join(_slot_text(s, lang) for s in slots) if slots else _("Closed")


def _when(moment: datetime, today: date, tz: ZoneInfo, lang: str, _: Gettext, opens: bool) -> str:
    day = moment.astimezone(tz).date()
    t = timefmt.clock(moment, tz, lang)
    if day == today:
        return (_("opens at {time}") if opens else _("closes at {time}")).format(time=t)
    if day == today + timedelta(days=1):
        return (_("opens tomorrow at {time}") if opens else _("closes tomorrow at {time}")).format(time=t)
    if day < today + timedelta(days=7):
        text = _("opens {weekday} at {time}") if opens else _("closes {weekday} at {time}")
        return text.format(weekday=timefmt.weekday(day, lang), time=t)
    text = _("opens on {date} at {time}") if opens else _("closes on {date} at {time}")
    return text.format(date=timefmt.day_month(day, lang), time=t)


def status_line(status: OpenStatus, now: datetime, tz: ZoneInfo, lang: str) -> tuple[str, str]:
    """``("Open now · closes at 19:00", "open")``; the second value is the tone to draw it in."""
    _ = gettext_for(lang)
    today = now.astimezone(tz).date()
    if status.state == "unknown":
        return _("See details"), "text"
    if status.state == "open":
        if status.closes_at is None:
            return _("Open now"), "open"
        return f"{_('Open now')} · {_when(status.closes_at, today, tz, lang, _, opens=False)}", "open"
    if status.closed_today is not None:
        reason = status.closed_today.label.get(lang) or (
            _("public holiday") if status.closed_today.holiday else _("exceptional closure"))
        head = _("Closed today ({reason})").format(reason=reason)
    else:
        head = _("Closed now")
    if status.opens_at is None:
        return head, "closed"
    return f"{head} · {_when(status.opens_at, today, tz, lang, _, opens=True)}", "closed"


def describe_hours(hours: OpeningHours | None, now: datetime, tz: ZoneInfo, lang: str) -> tuple[str, str]:
    return status_line(open_status(hours, now, tz), now, tz, lang)


def week_table(hours: OpeningHours, now: datetime, tz: ZoneInfo, lang: str) -> list[tuple[str, str, bool]]:
    """The next seven days from today: (day name, hours, is today), exceptions applied."""
    today = now.astimezone(tz).date()
    _ = gettext_for(lang)
    rows = []
    for offset in range(7):
        day = today + timedelta(days=offset)
        slots = hours.slots_on(day)
        text = slots_text(slots, lang)
        note = hours.note_on(day)
        if note is not None:
            reason = note.label.get(lang) or (
                _("public holiday") if note.holiday else "" if slots else _("exceptional closure"))
            text = f"{text} ({reason})" if reason else text
        name = f"{_('Today')}, {timefmt.day_month(day, lang)}" if offset == 0 else timefmt.day_heading(day, lang)
        rows.append((name, text, offset == 0))
    return rows


def upcoming_exceptions(hours: OpeningHours, now: datetime, tz: ZoneInfo, lang: str,
                        days: int = 60) -> list[str]:
    """Closures and special hours after this week, within ``days``: one line each."""
    _ = gettext_for(lang)
    today = now.astimezone(tz).date()
    first, last = today + timedelta(days=7), today + timedelta(days=days)
    lines = []
    dated = [(e.day, e.slots, e.label, False) for e in hours.exceptions]
    dated += [(h.day, (), h.label, h.holiday) for h in hours.holidays]
    for day, slots, label, holiday in sorted(dated, key=lambda x: x[0]):
        if first <= day <= last:
            reason = label.get(lang) or (_("public holiday") if holiday else "")
            text = f"{timefmt.day_heading(day, lang)}: {slots_text(slots, lang)}"
            lines.append(f"{text} ({reason})" if reason else text)
    return lines

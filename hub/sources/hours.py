"""OSM ``opening_hours`` → the manifest's structured hours, at publish time.

``opening_hours = "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off"`` is evaluated by
opening-hours-py (the Rust ``opening-hours`` crate, French public holidays) over a horizon —
from the first day of the current month to three months later — and written as what every
device already reads: a typical week (the most common hours of each weekday over the
horizon) and one dated exception for each day that differs (a public holiday, a school
holiday, a season, a comment such as ``"inventaire"``). Each publish renews the horizon, so
the published hours only change at a month's turn or when the expression changes. Why here
and not on the device: docs/sources.md, "Opening hours".

School holidays (``SH``) come from vacances-scolaires-france (the Éducation nationale
calendar, zones A, B and C) once ``sources.toml`` names the town's zone
(``[opening_hours] school_zone = "B"``); without it, ``SH`` rules are left out with one
warning line.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .base import JSON

HORIZON_MONTHS = 3
MAX_SLOTS = 8
PH_LABEL = {"fr": "Jour férié", "en": "Public holiday", "es": "Día festivo", "de": "Feiertag"}
SH_LABEL_EN = "School holidays"
_SH_AT_RULE_START = re.compile(r"(^|;|\|\|)(\s*)SH\b")
_SH_ANYWHERE = re.compile(r"\bSH\b")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class OpeningHoursError(ValueError):
    """The expression is not valid ``opening_hours`` syntax; the message says so in one line."""


def horizon(today: date) -> tuple[date, date]:
    """First day of ``today``'s month → the same day three months later (exclusive)."""
    start = today.replace(day=1)
    month = start.month - 1 + HORIZON_MONTHS
    return start, date(start.year + month // 12, month % 12 + 1, 1)


def school_holidays(zone: str, first: date, last: date) -> dict[date, str] | None:
    """Dates of ``zone``'s school holidays in [first, last] with their name, or None when
    the calendar does not cover these dates."""
    from vacances_scolaires_france import SchoolHolidayDates

    d = SchoolHolidayDates()
    if first.year < d.min_year or last.year > d.max_year:
        return None
    out = {}
    day = first
    while day <= last:
        if d.is_holiday_for_zone(day, zone):
            out[day] = d.data[day]["nom_vacances"]
        day += timedelta(days=1)
    return out


def _ranges(days: list[date]) -> str:
    """Consecutive dates → ``2026Oct17-2026Nov01,2026Dec19-2027Jan03``."""
    spans: list[tuple[date, date]] = []
    for d in sorted(days):
        if spans and d == spans[-1][1] + timedelta(days=1):
            spans[-1] = (spans[-1][0], d)
        else:
            spans.append((d, d))
    fmt = "%Y%b%d"
    return ",".join(f"{a.strftime(fmt)}-{b.strftime(fmt)}" for a, b in spans)


def expand(expression: str, *, tz: ZoneInfo, today: date, lang: str = "fr",
           holidays: Mapping[date, Mapping[str, str]] | None = None,
           school_zone: str | None = None) -> tuple[JSON, list[str]]:
    """The manifest ``hours`` for ``expression`` over the horizon around ``today``, and
    warnings (one line each, without the field's name). Raises OpeningHoursError."""
    import opening_hours as oh

    warnings: list[str] = []
    expression = expression.strip()
    if not expression:
        raise OpeningHoursError("empty (expected e.g. \"Mo-Fr 08:30-12:00; PH off\")")
    first, end = horizon(today)
    sh_days: dict[date, str] = {}
    if _SH_ANYWHERE.search(expression):
        expression, sh_days, note = _with_school_holidays(expression, school_zone, first, end)
        if note:
            warnings.append(note)
    try:
        parsed = oh.OpeningHours(expression, timezone=tz, country="FR")
    except (SyntaxError, ValueError, getattr(oh, "ParserError", SyntaxError)) as e:  # not in the stubs
        detail = str(e).strip().splitlines()[0] if str(e).strip() else "syntax error"
        raise OpeningHoursError(f"{expression!r} is not opening_hours syntax ({detail[:120]}); "
                                "expected e.g. \"Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off\"") from None
    warnings += [f"opening_hours: {w}" for w in parsed.warnings]
    start_dt = datetime.combine(first, time(0), tz)
    end_dt = datetime.combine(end, time(0), tz)
    days: dict[date, list[tuple[int, int]]] = {}
    comments: dict[date, str] = {}
    unknown = False
    for a, b, state, comment in parsed.intervals(start_dt, end_dt):
        a, b = a.astimezone(tz), min(b, end_dt).astimezone(tz)
        if state == oh.State.UNKNOWN:
            unknown = True
        day = a.date()
        while day < end and datetime.combine(day, time(0), tz) < b:
            if comment and state != oh.State.OPEN:
                comments.setdefault(day, comment)
            if state == oh.State.OPEN:
                lo = a if a.date() == day else datetime.combine(day, time(0), tz)
                nxt = datetime.combine(day + timedelta(days=1), time(0), tz)
                hi = b if b < nxt else nxt
                if hi > lo:
                    days.setdefault(day, []).append((_minutes(lo, day, tz), _minutes(hi, day, tz)))
                if comment:
                    comments.setdefault(day, comment)
            day += timedelta(days=1)
    if unknown:
        warnings.append("opening_hours: periods marked unknown are shown as closed")
    public_holidays = _public_holidays(first, end)
    plan = {d: _merge(days.get(d, [])) for d in _dates(first, end)}
    for d, slots in plan.items():
        if len(slots) > MAX_SLOTS:
            warnings.append(f"opening_hours: {d} has {len(slots)} openings; the first {MAX_SLOTS} are shown")
            plan[d] = slots[:MAX_SLOTS]
    weekly = _typical_week(plan, skip=set(public_holidays) | set(sh_days))
    closes_on_ph = all(not plan[d] for d in public_holidays if d in plan) if public_holidays else True
    site_holidays = holidays or {}
    exceptions = []
    for d, slots in plan.items():
        typical = weekly[d.weekday()]
        forced = closes_on_ph and d in site_holidays and slots
        if slots == typical and not forced:
            continue
        ex: JSON = {"date": d.isoformat()}
        if slots:
            ex["slots"] = [[_hhmm(a), _hhmm(b)] for a, b in slots]
        else:
            ex["closed"] = True
        label = _label(d, comments, public_holidays, sh_days, site_holidays, lang)
        if label:
            ex["label"] = label
        exceptions.append(ex)
    hours: JSON = {"weekly": {WEEKDAYS[i]: [[_hhmm(a), _hhmm(b)] for a, b in weekly[i]]
                              for i in range(7) if weekly[i]}}
    if exceptions:
        hours["exceptions"] = exceptions
    hours["public_holidays"] = "closed" if closes_on_ph else "open"
    return hours, warnings


def _with_school_holidays(expression: str, zone: str | None, first: date,
                          end: date) -> tuple[str, dict[date, str], str]:
    if not zone:
        stripped = _strip_sh_rules(expression)
        return stripped, {}, ("school holidays (SH) are not known: add [opening_hours] school_zone = \"A\", "
                              "\"B\" or \"C\" to sources.toml; SH rules are left out")
    days = school_holidays(zone, first, end - timedelta(days=1))
    if days is None:
        return _strip_sh_rules(expression), {}, (
            f"school holidays (SH) of zone {zone} are not known for {first.year}–{end.year} "
            "(update vacances-scolaires-france); SH rules are left out")
    if len(_SH_ANYWHERE.findall(expression)) != len(_SH_AT_RULE_START.findall(expression)):
        return _strip_sh_rules(expression), {}, ("SH is only understood at the start of a rule "
                                                 "(\"SH Mo-Fr 10:00-12:00\", \"SH off\"); SH rules are left out")
    if not days:
        return _strip_sh_rules(expression), {}, ""
    return _SH_AT_RULE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}{_ranges(list(days))}", expression), days, ""


def _strip_sh_rules(expression: str) -> str:
    rules = [r for r in expression.split(";") if not _SH_ANYWHERE.search(r)]
    return ";".join(rules).strip() or "off"


def _public_holidays(first: date, end: date) -> list[date]:
    import opening_hours as oh

    ph = oh.OpeningHours("PH", country="FR")
    out = []
    for a, _b, state, _c in ph.intervals(datetime.combine(first, time(0)), datetime.combine(end, time(0))):
        if state == oh.State.OPEN:
            out.append(a.date())
    return out


def _label(d: date, comments: Mapping[date, str], public_holidays: list[date], sh_days: Mapping[date, str],
           site_holidays: Mapping[date, Mapping[str, str]], lang: str) -> JSON | None:
    if d in comments:
        return {lang: comments[d][:200]}
    if d in public_holidays or d in site_holidays:
        return dict(site_holidays.get(d) or PH_LABEL)
    if d in sh_days:
        return {"fr": sh_days[d], "en": SH_LABEL_EN}
    return None


def _dates(first: date, end: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((end - first).days)]


def _minutes(t: datetime, day: date, tz: ZoneInfo) -> int:
    if t.date() != day:  # midnight of the next day
        return 24 * 60
    return t.hour * 60 + t.minute


def _merge(slots: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(slots):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        elif b > a:
            out.append((a, b))
    return out


def _typical_week(plan: Mapping[date, list[tuple[int, int]]], skip: set[date]) -> list[list[tuple[int, int]]]:
    week: list[list[tuple[int, int]]] = []
    for wd in range(7):
        seen = Counter(tuple(v) for d, v in plan.items() if d.weekday() == wd and d not in skip)
        if not seen:
            seen = Counter(tuple(v) for d, v in plan.items() if d.weekday() == wd)
        week.append(list(seen.most_common(1)[0][0]) if seen else [])
    return week


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_from_any(value: Any) -> str | None:
    """The expression if ``value`` is an opening_hours string."""
    return value if isinstance(value, str) else None

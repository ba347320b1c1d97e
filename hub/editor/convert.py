"""What a form's fields say, as the content folder's TOML values, and back.

Each ``parse_*`` takes what a person typed and returns the value to write, or raises
:class:`Invalid` with a plain-words message naming the expected format. Pure functions: the
web forms call them from their validators, tests call them directly.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from .kinds import COURSES, MENU_LABELS
from .text import N_, Message

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_CLOCK = re.compile(r"^(\d{1,2})[:h](\d{2})$")
_PHONE = re.compile(r"^[0-9+][0-9 .()-]*$")


class Invalid(ValueError):
    def __init__(self, message: Message) -> None:
        super().__init__(message.english())
        self.message = message


def _bad(text: str, **params: Any) -> Invalid:
    return Invalid(Message(text, params))


def parse_clock(text: str) -> str:
    """``8:00``, ``08:00`` or ``8h00`` → ``"08:00"``; ``24:00`` allowed."""
    m = _CLOCK.match(text.strip())
    if not m:
        raise _bad(N_("'%(value)s' is not a time of day; write it as 08:30"), value=text.strip())
    h, mi = int(m.group(1)), int(m.group(2))
    if h > 24 or mi > 59 or (h == 24 and mi):
        raise _bad(N_("'%(value)s' is not a time of day (00:00 to 24:00)"), value=text.strip())
    return f"{h:02d}:{mi:02d}"


def _ranges(text: str) -> list[tuple[str, str]]:
    out = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        pieces = re.split(r"\s*(?:-|–|—|à|to)\s*", part)
        if len(pieces) != 2:
            raise _bad(N_("'%(value)s' is not a time range; write it as 08:00-12:00"), value=part)
        out.append((parse_clock(pieces[0]), parse_clock(pieces[1])))
    return out


def parse_dayparts(text: str) -> list[dict[str, str]]:
    """``08:00-12:00, 14:00-18:00`` → ``[{"from": "08:00", "to": "12:00"}, …]`` (at most 12)."""
    out = []
    for start, end in _ranges(text):
        if start == "24:00":
            raise _bad(N_("a time range cannot start at 24:00; write 00:00"))
        if start == end:
            raise _bad(N_("%(start)s-%(end)s starts and ends at the same time"), start=start, end=end)
        out.append({"from": start, "to": end})
    if len(out) > 12:
        raise _bad(N_("at most 12 time ranges"))
    return out


def format_dayparts(value: Any) -> str:
    if not isinstance(value, list):
        return ""
    return ", ".join(f"{_hhmm(d.get('from'))}-{_hhmm(d.get('to'))}" for d in value if isinstance(d, Mapping))


def parse_slots(text: str) -> list[list[str]]:
    """A day of opening hours: ``08:30-12:00, 13:30-17:30`` → ``[["08:30", "12:00"], …]``;
    an end before the start runs past midnight."""
    slots = []
    for start, end in _ranges(text):
        if start == end:
            raise _bad(N_("%(start)s-%(end)s starts and ends at the same time"), start=start, end=end)
        slots.append([start, end])
    if len(slots) > 8:
        raise _bad(N_("at most 8 openings a day"))
    return slots


def format_slots(value: Any) -> str:
    if not isinstance(value, list):
        return ""
    return ", ".join(f"{_hhmm(s[0])}-{_hhmm(s[1])}" for s in value if isinstance(s, list | tuple) and len(s) == 2)


def _hhmm(value: Any) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value or "")


def parse_local_datetime(text: str) -> datetime:
    """``2027-03-31T18:00`` (what a datetime-local input sends) or ``2027-03-31 18:00`` →
    a local date-time, read in the site's zone by the publisher."""
    value = text.strip().replace(" ", "T", 1)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(N_("'%(value)s' is not a date and time; expected e.g. 2027-03-31 18:00"), value=text.strip()) from None
    if when.tzinfo is not None:
        raise _bad(N_("give the local date and time, without a time zone"))
    return when.replace(second=0, microsecond=0)


def format_local_datetime(value: Any) -> str:
    """A TOML value (local or offset date-time, or the manifest's text) for a datetime-local input."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00"
    return str(value or "")


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _bad(N_("'%(value)s' is not a date; expected e.g. 2027-12-24"), value=text.strip()) from None


def parse_dates(text: str) -> list[date]:
    out: list[date] = []
    for part in re.split(r"[,\s;]+", text.strip()):
        if part:
            d = parse_date(part)
            if d in out:
                raise _bad(N_("%(date)s is listed twice"), date=d.isoformat())
            out.append(d)
    return out


def format_dates(value: Any) -> str:
    return ", ".join(d.isoformat() if isinstance(d, date) else str(d) for d in value) if isinstance(value, list) else ""


def parse_tags(text: str) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[,\s;]+", text.strip().lower()):
        if not part:
            continue
        if not ID_RE.match(part):
            raise _bad(N_("'%(value)s' is not a tag: letters a-z, digits and '-' only"), value=part)
        if part not in out:
            out.append(part)
    if len(out) > 32:
        raise _bad(N_("at most 32 tags"))
    return out


def parse_id(text: str) -> str:
    value = text.strip()
    if not ID_RE.match(value):
        raise _bad(N_("'%(value)s' is not an id: lower-case letters a-z, digits, '-' and '_', "
                      "starting with a letter or digit, e.g. poster-pool"), value=value)
    return value


def slug(text: str, fallback: str = "item") -> str:
    """An id made from a title: ``Piscine : nouveaux horaires`` → ``piscine-nouveaux-horaires``."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:48].strip("-")
    return out or fallback


def parse_phone(text: str) -> str:
    value = text.strip()
    if not _PHONE.match(value) or len(value) < 2:
        raise _bad(N_("'%(value)s' is not a phone number: digits, spaces and + . ( ) -"), value=value)
    return value


def parse_url(text: str) -> str:
    value = text.strip()
    if not re.match(r"^https://[^\s]+$", value):
        raise _bad(N_("'%(value)s' is not a web link starting with https://"), value=value)
    return value


def parse_menu(text: str, lang: str) -> list[dict[str, Any]]:
    """``date | course | dish | labels`` lines → the menu's ``days`` (in date order)."""
    days: dict[date, list[dict[str, Any]]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 3:
            raise _bad(N_("line %(n)s: expected date | course | dish | labels"), n=n)
        day = parse_date(parts[0])
        course = parts[1].lower()
        if course not in COURSES:
            raise _bad(N_("line %(n)s: '%(value)s' is not a course (%(known)s)"), n=n, value=parts[1],
                       known=", ".join(COURSES))
        if not parts[2]:
            raise _bad(N_("line %(n)s: the dish is missing"), n=n)
        entry: dict[str, Any] = {"course": course, "dish": {lang: parts[2]}}
        labels = [x.strip().lower() for x in (parts[3] if len(parts) > 3 else "").split(",") if x.strip()]
        for label in labels:
            if label not in MENU_LABELS:
                raise _bad(N_("line %(n)s: '%(value)s' is not a label (%(known)s)"), n=n, value=label,
                           known=", ".join(MENU_LABELS))
        if labels:
            entry["labels"] = labels
        days.setdefault(day, []).append(entry)
    if len(days) > 31:
        raise _bad(N_("at most 31 days in one menu"))
    return [{"date": d, "courses": c} for d, c in sorted(days.items())]


def format_menu(value: Any, lang: str) -> str:
    lines = []
    for day in value if isinstance(value, list) else ():
        if not isinstance(day, Mapping):
            continue
        d = day.get("date")
        for c in day.get("courses") or ():
            if isinstance(c, Mapping):
                dish = c.get("dish") or {}
                text = dish.get(lang) or next(iter(dish.values()), "") if isinstance(dish, Mapping) else str(dish)
                labels = ", ".join(c.get("labels") or ())
                lines.append(" | ".join(x for x in (str(d), str(c.get("course", "")), str(text), labels) if x))
    return "\n".join(lines)


def keep_other_languages(new_days: list[dict[str, Any]], old: Any) -> list[dict[str, Any]]:
    """A menu's dishes in the other languages stay when the same course of the same day stays."""
    old_by = {}
    for day in old if isinstance(old, list) else ():
        if isinstance(day, Mapping):
            for i, c in enumerate(day.get("courses") or ()):
                if isinstance(c, Mapping):
                    old_by[(str(day.get("date")), i, c.get("course"))] = c
    for day in new_days:
        for i, c in enumerate(day["courses"]):
            prev = old_by.get((str(day["date"]), i, c["course"]))
            if prev is not None:
                if isinstance(prev.get("dish"), Mapping):
                    c["dish"] = {**prev["dish"], **c["dish"]}
                if prev.get("allergens"):
                    c["allergens"] = list(prev["allergens"])
    return new_days


def parse_holidays(text: str, lang: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[date] = set()
    for line in text.splitlines():
        if not line.strip():
            continue
        first, _, label = line.strip().partition(" ")
        d = parse_date(first)
        if d in seen:
            raise _bad(N_("%(date)s is listed twice"), date=d.isoformat())
        seen.add(d)
        entry: dict[str, Any] = {"date": d}
        if label.strip():
            entry["label"] = {lang: label.strip()}
        out.append(entry)
    return out


def format_holidays(value: Any, lang: str) -> str:
    lines = []
    for h in value if isinstance(value, list) else ():
        if isinstance(h, Mapping):
            label = h.get("label") or {}
            text = (label.get(lang) or next(iter(label.values()), "")) if isinstance(label, Mapping) else ""
            lines.append(f"{h.get('date')} {text}".strip())
    return "\n".join(lines)


def textlist(per_language: Mapping[str, str]) -> list[dict[str, str]]:
    """One line each, per language → ``[{"fr": "…", "en": "…"}, …]`` by line number."""
    rows: list[dict[str, str]] = []
    for lang, text in per_language.items():
        for i, line in enumerate(x.strip() for x in text.splitlines() if x.strip()):
            while len(rows) <= i:
                rows.append({})
            rows[i][lang] = line
    if len(rows) > 30:
        raise _bad(N_("at most 30 lines"))
    return rows


def format_textlist(value: Any, lang: str) -> str:
    return "\n".join(str(v.get(lang, "")) for v in value if isinstance(v, Mapping)) if isinstance(value, list) else ""


def localised(per_language: Mapping[str, str]) -> dict[str, str]:
    """The languages given (empty ones left out)."""
    return {lang: text.strip() for lang, text in per_language.items() if text and text.strip()}


def text_of(value: Any, langs: Sequence[str]) -> str:
    """A localised text in the first of ``langs`` it has (for lists and titles)."""
    if isinstance(value, Mapping):
        for lang in langs:
            if value.get(lang):
                return str(value[lang])
        return str(next(iter(value.values()), ""))
    return str(value or "")


def parse_focus(text: str) -> dict[str, float]:
    """``0.5, 0.3`` → ``{"x": 0.5, "y": 0.3}`` (fractions of the width and height)."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise _bad(N_("'%(value)s' is not two fractions such as 0.5, 0.3"), value=text.strip()) from None
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise _bad(N_("each of the two fractions is between 0 and 1"))
    return {"x": x, "y": y}


def format_focus(value: Any) -> str:
    return f"{value.get('x')}, {value.get('y')}" if isinstance(value, Mapping) else ""

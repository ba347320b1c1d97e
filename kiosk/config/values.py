"""Converters from TOML values to the config's types: each returns the value or raises
``ValueError`` with the one-line problem (the loader prefixes ``section.key:``)."""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import WEEKDAYS, DayHours, TickerPlace

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*$", re.IGNORECASE)
_CLOCK_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_OUTPUT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_PIN_HASH_RE = re.compile(r"^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")

Converter = Callable[[Any], Any]
T = TypeVar("T")


def suggest(name: str, options: list[str]) -> str:
    """``; did you mean 'x'?`` for the closest of ``options``, else nothing."""
    close = difflib.get_close_matches(name, options, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def parse_size(value: Any) -> int:
    """``8G``, ``500M``, ``1.5G`` or a plain number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    m = _SIZE_RE.match(str(value)) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a size (e.g. 8G, 500M or a number of bytes)")
    n = float(m.group(1)) * 1024 ** "_KMGT".index(m.group(2).upper() or "_")
    if n <= 0:
        raise ValueError("must be more than 0")
    return int(n)


def number(lo: float, hi: float) -> Callable[[Any], float]:
    def conv(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{v!r} is not a number")
        if not lo <= v <= hi:
            raise ValueError(f"{v} is out of range {lo:g}..{hi:g}")
        return float(v)
    return conv


def whole(lo: int, hi: int) -> Callable[[Any], int]:
    def conv(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"{v!r} is not a whole number")
        if not lo <= v <= hi:
            raise ValueError(f"{v} is out of range {lo}..{hi}")
        return v
    return conv


def screenshot_interval(v: Any) -> float:
    if v == 0 and not isinstance(v, bool):
        return 0.0  # only when the hub asks
    return number(60, 86400)(v)


def flag(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"{v!r} is not true or false")
    return v


def choice(options: tuple[T, ...]) -> Callable[[Any], T]:
    """One of ``options``, of the same type (``90`` is an orientation, ``"90"`` is not)."""
    def conv(v: Any) -> T:
        for o in options:
            if type(v) is type(o) and v == o:
                return o
        raise ValueError(f"{v!r} is not one of {', '.join(map(str, options))}")
    return conv


def device_id(v: Any) -> str:
    if not isinstance(v, str) or not _ID_RE.match(v):
        raise ValueError(f"{v!r} is not a device id (a-z, 0-9, '-', '_', up to 64)")
    return v


def url(v: Any) -> str:
    from sync.wording import api_url_problem  # the sync's own rule: a base URL, http(s)

    if not isinstance(v, str) or not re.match(r"^https?://[^\s/]+", v):
        raise ValueError(api_url_problem(str(v)) or f"{v!r} is not an http(s) URL")
    problem = api_url_problem(v)
    if problem:
        raise ValueError(problem)
    return v.rstrip("/")


def path(v: Any) -> Path:
    if not isinstance(v, str) or not v:
        raise ValueError(f"{v!r} is not a path")
    return Path(v)


def timezone(v: Any) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"{v!r} is not a known time zone (e.g. Europe/Paris)") from None
    return str(v)


def parse_clock(v: Any) -> time:
    """``"06:30"`` → 06:30 (24-hour, two digits each)."""
    m = _CLOCK_RE.match(v) if isinstance(v, str) else None
    if not m:
        raise ValueError(f"{v!r} is not a time of day HH:MM")
    return time(int(m.group(1)), int(m.group(2)))


def parse_day_hours(v: Any) -> DayHours:
    """``"on"``, ``"off"`` or ``"HH:MM-HH:MM"`` (screen on from the first to the second)."""
    if v in ("on", "off"):
        return bool(v == "on")
    parts = v.split("-") if isinstance(v, str) else []
    if len(parts) != 2:
        raise ValueError(f"{v!r} is not \"on\", \"off\" or \"HH:MM-HH:MM\"")
    on, off = parse_clock(parts[0].strip()), parse_clock(parts[1].strip())
    if on == off:
        raise ValueError(f"{v!r} starts and ends at the same time")
    return on, off


def week(v: Any) -> tuple[tuple[int, DayHours], ...]:
    if not isinstance(v, dict):
        raise ValueError("expected a table of weekdays, e.g. [display.week] sun = \"off\"")
    out: list[tuple[int, DayHours]] = []
    problems: list[str] = []
    for day, hours in v.items():
        if day not in WEEKDAYS:
            problems.append(f"{day}: not a weekday (mon … sun){suggest(day, list(WEEKDAYS))}")
            continue
        try:
            out.append((WEEKDAYS.index(day), parse_day_hours(hours)))
        except ValueError as e:
            problems.append(f"{day}: {e}")
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(sorted(out, key=lambda kv: kv[0]))


def ticker(v: Any) -> TickerPlace | None:
    # true is the usual place (bottom, above the status bar); false: no ticker.
    if v is True or v is False:
        return "bottom" if v else None
    if v == "bottom" or v == "top":
        return "bottom" if v == "bottom" else "top"
    raise ValueError(f"{v!r} is not true, false, \"bottom\" or \"top\"")


def output_name(v: Any) -> str:
    if not isinstance(v, str) or not _OUTPUT_RE.match(v):
        raise ValueError(f"{v!r} is not an output name (e.g. HDMI-A-1)")
    return v


def pin_hash(v: Any) -> str:
    # made by `python -m kiosk.touch.admin PIN`; never the PIN itself
    if not isinstance(v, str) or not _PIN_HASH_RE.match(v):
        raise ValueError("not a PIN hash (make one with: python -m kiosk.touch.admin PIN)")
    return v

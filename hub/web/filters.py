"""Jinja filters: times in the site's zone, "3 min ago", sizes. Formatting only."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from .i18n import current_language, gettext
from .state import now, tz


def local_time(t: datetime | None, fmt: str = "%d/%m %H:%M") -> str:
    if t is None:
        return "—"
    if current_language() == "en" and fmt == "%d/%m %H:%M":
        fmt = "%b %d, %H:%M"
    return t.astimezone(tz()).strftime(fmt)


def ago(t: datetime | None) -> str:
    if t is None:
        return gettext("never")
    seconds = max(0, int((now() - t).total_seconds()))
    if seconds < 2:
        return gettext("just now")
    if seconds < 60:
        return gettext("%(n)s s ago", n=seconds)
    if seconds < 3600:
        return gettext("%(n)s min ago", n=seconds // 60)
    if seconds < 86400:
        return gettext("%(n)s h ago", n=seconds // 3600)
    return gettext("%(n)s d ago", n=seconds // 86400)


def size(n: int | float | None) -> str:
    if n is None:
        return "—"
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{int(n)} B"


def short(version: str | None) -> str:
    return "—" if not version else version[:10]


def duration(seconds: float | int | None) -> str:
    if seconds is None:
        return "—"
    s = int(seconds)
    if s >= 86400:
        return f"{s // 86400} d {s % 86400 // 3600} h"
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d}"
    return f"{s // 60} min" if s >= 60 else f"{s} s"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(local_time=local_time, ago=ago, size=size, short=short, duration=duration)

"""What the touch kiosk shows, in a technician's words (``kiosk status``, ``kiosk next``).

Pure Python: the touch root fills a :class:`TouchStatus`; :func:`describe` says it as one
line ("touch kiosk: home screen, German, 40 s to idle"), never with a Python ``None``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# In the technician's language (English, as the rest of `kiosk status`).
LANGUAGES = {"fr": "French", "en": "English", "es": "Spanish", "de": "German"}
SCREEN_NAMES = {"home": "home screen", "list": "list", "detail": "page", "attract": "attract screen"}


@dataclass(frozen=True)
class TouchStatus:
    mode: str  # attract | interactive
    screen: str  # attract | home | list | detail
    lang: str
    category: str = ""
    doc_id: str = ""
    seconds_to_idle: float | None = None  # before the reset to the attract screen
    overlay: str = ""  # idle countdown | PIN pad | admin overlay | full-screen alert
    attract: str = ""  # what the attract screen shows: signage loop | idle board | full-screen alert
    alerts: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["alerts"] = list(self.alerts)
        out["description"] = describe(self)
        return out


def describe(s: TouchStatus) -> str:
    """``touch kiosk: home screen, German, 40 s to idle`` (or what the attract screen shows)."""
    if s.screen == "attract":
        parts = [f"attract screen ({s.attract})" if s.attract else "attract screen"]
    else:
        where = SCREEN_NAMES.get(s.screen, s.screen)
        if s.screen == "list" and s.category:
            where = f"{s.category} list"
        elif s.screen == "detail" and s.category:
            where = f"{s.category} page {s.doc_id}".rstrip()
        parts = [where, LANGUAGES.get(s.lang, s.lang)]
        if s.seconds_to_idle is not None:
            parts.append(f"{s.seconds_to_idle:.0f} s to idle")
    if s.overlay:
        parts.append(f"{s.overlay} shown")
    if s.alerts:
        parts.append(f"alert{'s' if len(s.alerts) > 1 else ''} {', '.join(s.alerts)}")
    return "touch kiosk: " + ", ".join(parts)

"""What the ticker strip scrolls: the titles of the bulletins current at ``now`` that are
not alerts (alerts have their own banner or full screen). Pure Python, no Kivy."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from content_cache import BulletinData

from .engine import alert_mode


@dataclass(frozen=True)
class TickerText:
    """Titles to scroll, in order, and the instant before which they cannot change
    (None: not before the content changes)."""

    titles: tuple[str, ...]
    valid_until: datetime | None
    severities: tuple[str, ...] = ()  # each title's bulletin's, for its colour

    def __bool__(self) -> bool:
        return bool(self.titles)


def ticker_text(bulletins: Iterable[BulletinData], now: datetime, lang: str,
                clock_trusted: bool = True) -> TickerText:
    """Titles of the non-alert bulletins valid at ``now`` (tz-aware), in ``lang``.

    With an untrusted clock only bulletins without a validity window show, as in the loop.
    """
    titles: list[str] = []
    severities: list[str] = []
    nxt: datetime | None = None
    for b in bulletins:
        if alert_mode(b) is not None:
            continue
        if not clock_trusted and (b.valid_from or b.valid_until):
            continue
        if b.valid_from and now < b.valid_from:
            nxt = b.valid_from if nxt is None else min(nxt, b.valid_from)
            continue
        if b.valid_until and now >= b.valid_until:
            continue
        if b.valid_until:
            nxt = b.valid_until if nxt is None else min(nxt, b.valid_until)
        title = b.title.get(lang).strip()
        if title:
            titles.append(" ".join(title.split()))  # one line: no newlines in a ticker
            severities.append(b.severity)
    return TickerText(tuple(titles), nxt, tuple(severities))

"""What the ticker scrolls: current non-alert bulletin titles, one line each, and when
that can change next."""
from __future__ import annotations

from datetime import UTC, datetime

from content_cache import BulletinData
from content_cache.snapshot import LocalText
from player.ticker import ticker_text


def test_ticker_shows_only_current_non_alert_titles_in_the_display_language() -> None:
    def b(id_: str, severity: str = "info", alert: str | None = None, **kw: object) -> BulletinData:
        return BulletinData(id_, "event", severity, LocalText.from_mapping({"fr": f"{id_} fr", "en": f"{id_}\nen"}),
                            LocalText(), alert=alert, **kw)  # type: ignore[arg-type]

    now = datetime(2027, 3, 28, 12, tzinfo=UTC)
    later = datetime(2027, 3, 28, 18, tzinfo=UTC)
    text = ticker_text([
        b("plain"), b("storm", "critical"), b("cut", alert="banner"),
        b("past", valid_until=now), b("soon", valid_from=later), b("today", valid_until=later),
    ], now, "en")
    assert text.titles == ("plain en", "today en")
    assert text.valid_until == later
    untrusted = ticker_text([b("plain"), b("today", valid_until=later)], now, "fr", clock_trusted=False)
    assert untrusted.titles == ("plain fr",) and untrusted.valid_until is None
    assert not ticker_text([b("storm", "critical")], now, "fr")

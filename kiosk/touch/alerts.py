"""The alerts the touch kiosk shows on every screen, as plain values. Pure Python.

The host gives the schedule engine's answer (the same alerts the signage loop shows: a
banner alert as a banner, a full-screen one full screen, most severe first) through
:meth:`kiosk.touch.root.TouchRoot.set_alerts`; :class:`AlertView` says what to draw for
one language and one instant: the strip over every screen and the full-screen card.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from content_cache import LocalText
from player.engine import FULLSCREEN, NowPlaying
from player.i18n import gettext_for

from . import timefmt
from .pictograms import SEVERITY_PICTOGRAMS


@dataclass(frozen=True)
class ScreenAlert:
    id: str
    severity: str  # critical | warning | info (player.severity)
    title: LocalText
    body: LocalText
    valid_until: datetime | None = None
    fullscreen: bool = False

    @property
    def pictogram(self) -> str:
        return SEVERITY_PICTOGRAMS.get(self.severity, "alerts")


@dataclass(frozen=True)
class AlertsNow:
    """The alerts in force, most severe first."""

    alerts: tuple[ScreenAlert, ...] = ()

    @property
    def fullscreen(self) -> ScreenAlert | None:
        return next((a for a in self.alerts if a.fullscreen), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.alerts)


def alerts_from_answer(answer: NowPlaying | None) -> AlertsNow:
    """The engine's alerts (None: no content, no alerts)."""
    if answer is None:
        return AlertsNow()
    return AlertsNow(tuple(
        ScreenAlert(a.id, a.severity, a.bulletin.title, a.bulletin.body, a.bulletin.valid_until,
                    fullscreen=a.mode == FULLSCREEN)
        for a in answer.alerts))


@dataclass(frozen=True)
class StripText:
    """The strip over every screen: the alerts' titles in the most severe one's colours."""

    severity: str
    pictogram: str
    text: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class CardText:
    """A full-screen alert: a label ("ALERT"), its title, body and end."""

    id: str
    severity: str
    pictogram: str
    label: str
    title: str
    body: str
    until: str


def strip_text(alerts: tuple[ScreenAlert, ...], lang: str) -> StripText | None:
    """What the strip says for ``alerts`` (None: no strip)."""
    if not alerts:
        return None
    _ = gettext_for(lang)
    titles = "  ·  ".join(a.title.get(lang) for a in alerts)
    return StripText(alerts[0].severity, alerts[0].pictogram, f"{_('Alert').upper()} · {titles}",
                     tuple(a.id for a in alerts))


def card_text(alert: ScreenAlert, lang: str, tz: ZoneInfo) -> CardText:
    _ = gettext_for(lang)
    until = ""
    if alert.valid_until is not None:
        local = alert.valid_until.astimezone(tz)
        until = _("Until {date} at {time}").format(date=timefmt.day_month(local.date(), lang),
                                                    time=timefmt.clock(local, tz, lang))
    return CardText(alert.id, alert.severity, alert.pictogram, _("Alert").upper(), alert.title.get(lang),
                    alert.body.get(lang) if alert.body else "", until)


class AlertView:
    """Which alerts show where, for one touch UI: the full-screen alert covers the screen
    until the visitor acknowledges it (or, on the attract screen, for as long as it lasts);
    every other alert, and an acknowledged full-screen one, is in the strip."""

    def __init__(self) -> None:
        self.now = AlertsNow()
        self._seen: set[str] = set()  # full-screen alerts acknowledged in this session

    def set(self, alerts: AlertsNow) -> bool:
        """New alerts; True when they changed."""
        changed = alerts != self.now
        self.now = alerts
        self._seen &= set(alerts.ids)
        return changed

    def acknowledge(self) -> None:
        """The visitor has seen the full-screen alert (touched it, or its button)."""
        full = self.now.fullscreen
        if full is not None:
            self._seen.add(full.id)

    def forget(self) -> None:
        """A new visitor: a full-screen alert covers the screen again."""
        self._seen.clear()

    def card(self) -> ScreenAlert | None:
        full = self.now.fullscreen
        return full if full is not None and full.id not in self._seen else None

    def strip(self) -> tuple[ScreenAlert, ...]:
        card = self.card()
        return tuple(a for a in self.now.alerts if a is not card)

"""Alerts over every screen of the touch kiosk: the strip and the full-screen card.

:class:`AlertController` is owned by the touch root (like the admin controller): the host
gives it the alerts in force (:meth:`kiosk.touch.root.TouchRoot.set_alerts`), and it shows

- the **strip** at the top of the home, list and detail screens, and of the attract
  screen when there is no signage loop to show the alerts (kiosk mode): banner alerts,
  and a full-screen alert once the visitor has acknowledged it; a touch opens the list;
- the **card**, a full-screen alert: on the attract screen for as long as it lasts (kiosk
  mode; in hybrid mode the loop shows it), and over a visitor's session until they
  acknowledge it. The admin overlay stays above both.

Kivy side (imported by :mod:`kiosk.touch.root`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from .alerts import AlertsNow, AlertView, card_text, strip_text
from .overlays import Modal
from .ui_text import interface_strings
from .widgets import Surface, Target

log = logging.getLogger(__name__)


class AlertStrip(Target, Surface, BoxLayout):
    severity = StringProperty("critical")
    pictogram = StringProperty("alerts")
    source_text = StringProperty("")
    lang = StringProperty("fr")


class AlertCard(Surface, Modal):
    """A full-screen alert. ``dismissable``: over a session, with its "understood" button
    (on the attract screen a touch starts a session instead, as anywhere there)."""

    severity = StringProperty("critical")
    pictogram = StringProperty("alerts")
    label = StringProperty("")
    title = StringProperty("")
    body = StringProperty("")
    until = StringProperty("")
    lang = StringProperty("fr")
    dismissable = BooleanProperty(True)
    alert_id = StringProperty("")
    controller = ObjectProperty(None)


class AlertController:
    def __init__(self, *, on_strip: Callable[[], None], timezone: Callable[[], str]) -> None:
        self.view = AlertView()
        self._timezone = timezone
        self.strip = AlertStrip(tid="alert-strip", opacity=0, disabled=True)
        self.strip.bind(on_release=lambda *_: on_strip())
        self.card = AlertCard(controller=self, dismissable=True)  # over a session
        self.attract_card = AlertCard(controller=self, dismissable=False)  # the attract screen's stage
        self.on_change: Callable[[], None] = lambda: None  # the root lays out again

    def set(self, alerts: AlertsNow) -> bool:
        changed = self.view.set(alerts)
        if changed:
            log.info("touch UI alerts: %s", ", ".join(
                f"{a.id} ({a.severity}{', full screen' if a.fullscreen else ''})" for a in alerts.alerts) or "none")
        return changed

    def acknowledge_alert(self) -> None:
        """The visitor read the full-screen alert: it goes to the strip for this session."""
        card = self.view.card()
        if card is not None:
            log.info("full-screen alert %s acknowledged by the visitor", card.id)
        self.view.acknowledge()
        self.on_change()

    def show(self, *, lang: str, interactive: bool, loop_shows_alerts: bool) -> tuple[bool, bool]:
        """Fill the strip and cards for the screen now; returns (strip shown, session card shown).

        ``loop_shows_alerts``: the attract screen is the signage loop, which shows the
        alerts itself (its banner, its full-screen alert slide).
        """
        tz = ZoneInfo(self._timezone())
        card = self.view.card()
        if not interactive:
            # A new visitor will see the full-screen alert again.
            self.view.forget()
            card = self.view.card()
        strip_alerts = self.view.strip()
        if not interactive and loop_shows_alerts:
            strip_alerts, card = (), None
        text = strip_text(strip_alerts, lang)
        strip = self.strip
        if text is not None:
            strip.severity, strip.pictogram, strip.source_text, strip.lang = (
                text.severity, text.pictogram, text.text, lang)
        strip.opacity, strip.disabled = (1, False) if text is not None else (0, True)
        for widget, wanted in ((self.card, card if interactive else None),
                               (self.attract_card, card if not interactive else None)):
            if wanted is not None:
                c = card_text(wanted, lang, tz)
                widget.alert_id, widget.severity, widget.pictogram = c.id, c.severity, c.pictogram
                widget.label, widget.title, widget.body, widget.until, widget.lang = (
                    c.label, c.title, c.body, c.until, lang)
                widget.ui = interface_strings(lang)
        return text is not None, interactive and card is not None

    def attract_alert(self) -> bool:
        """A full-screen alert is in force (the attract screen shows it instead of its board)."""
        return self.view.now.fullscreen is not None

    def session_started(self) -> None:
        """The visitor touched the attract screen, where the full-screen alert was shown."""
        self.view.acknowledge()

    def ids_on_screen(self, *, interactive: bool, loop_shows_alerts: bool) -> list[str]:
        """The alerts drawn now (``kiosk status``)."""
        if not interactive and loop_shows_alerts:
            return []
        card = self.view.card()
        shown = [a.id for a in self.view.strip()]
        return ([card.id] if card is not None else []) + shown

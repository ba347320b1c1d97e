"""What the player's schedule says, followed (a mixin of :class:`kiosk.app.player_app.PlayerApp`):
the live pointer polled for a new version, the engine asked again at its deadline or on a
new version — alerts (banner, full-screen, the touch UI's) apply at once, the bands and
the ticker follow, changes to the loop wait for the current slide's end — and the election
reserve period's content for the touch kiosk and notes for the play log."""
from __future__ import annotations

import logging

from kiosk.app.frame_pacer import OnTime
from kiosk.app.player_parts import PlayerParts
from kiosk.touch.alerts import alerts_from_answer
from player.engine import NowPlaying
from player.neutrality import Withheld
from player.schedule import alert_slide_id, is_alert_slide

log = logging.getLogger(__name__)


class ScheduleWatch(PlayerParts):
    def check_new_content(self) -> None:
        """Look at the live pointer now (a USB import just finished) rather than at the next poll."""
        self._poll(0)

    def _note_neutrality(self, answer: NowPlaying | None) -> None:
        """Election reserve period: the touch kiosk gets the content without withheld
        pages (again when the period starts or ends), and the play log notes what the
        period keeps off the screen."""
        content = self.state.content
        if content is None:
            return
        guard = self.state.engine.compile(content).guard
        self.proof.elections(guard.rules.elections)
        kiosk_withheld: tuple[Withheld, ...] = ()
        reserve = answer is not None and answer.reserve is not None
        if self.touch is not None:
            key = (self.state.generation, reserve)
            if key != self._kiosk_key or reserve:
                shown, kiosk_withheld = self.state.kiosk_content()
                if key != self._kiosk_key:
                    self._kiosk_key = key
                    self.touch.set_content(shown)
        if answer is not None and answer.reserve is not None:
            self.proof.withheld(content.version_id, answer.reserve, answer.withheld + kiosk_withheld)

    def _poll(self, _dt: float) -> None:
        try:
            if self.state.poll():
                self._reevaluate(0)
        except Exception:  # the cache may be busy or briefly unreadable; try again later
            log.exception("could not read the live pointer")

    def _reevaluate(self, _dt: float) -> None:
        """At the engine's deadline or on a new version: alerts apply now; changes to
        the loop wait for the current slide to end."""
        if self._deadline is not None:
            self._deadline.cancel()
        try:
            answer = self.state.refresh()
        except Exception:
            log.exception("could not evaluate the schedule")
            answer = None
        self._note_neutrality(answer)
        if self.touch is not None:  # the touch UI shows the same alerts, on every screen
            self.touch.root.set_alerts(alerts_from_answer(answer))
        self.bands.show_alerts([a.bulletin for a in answer.banner_alerts] if answer else [], self.state.lang)
        self.bands.show_side(self.state.content, self.options.playlist, self.state.lang,
                             [a.bulletin for a in answer.alerts] if answer else [])
        full = answer.fullscreen_alert if answer else None
        showing = self._current.item_id if self._current else None
        wanted = alert_slide_id(full.id) if full else None
        if wanted != showing and (wanted or is_alert_slide(showing)):
            self.show_next()  # a full-screen alert pre-empts (or its end releases) the loop
        elif showing == "waiting" and answer is not None and answer.items:
            self.show_next()  # content at last (a first sync, a cache rebuilt): the card goes at once
        wait = self.state.seconds_to_deadline()
        ticker_until = self.bands.update_ticker(self.state.content, answer, self.state.now(), self.state.lang)
        if ticker_until is not None:
            wait = min(wait, max(0.05, (ticker_until - self.state.now()).total_seconds()))
        # On time at the idle frame rate too: an alert starts within a tenth of a second.
        self._deadline = OnTime(wait, self.pacer, lambda: self._reevaluate(0.0), "deadline")

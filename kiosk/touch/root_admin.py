"""The hidden gesture, the PIN and the admin overlay (a mixin of TouchRoot)."""
from __future__ import annotations

import logging
from typing import Any

from player.i18n import gettext_for

from . import timefmt
from .look import LOOK
from .ui_text import interface_strings

log = logging.getLogger(__name__)

ACTIONS = ("sync_now", "test_card", "restart_player")


class AdminMixin:
    """Needs ``options``, ``pins``, ``pin_pad``, ``admin_panel``, ``lang``, ``_mono``,
    ``_show`` and ``_hide`` from the class it is mixed into."""

    _corner_press: tuple[object, float] | None

    # -- the 5-second press in the top-left corner --------------------------------------
    def _in_corner(self, touch: Any) -> bool:
        side = LOOK.target * 1.5
        # The root's own top, not the window's: the picture may be turned (display.orientation).
        return touch.x <= side and touch.y >= self.top - side  # type: ignore[attr-defined]

    def _corner_down(self, touch: Any) -> None:
        if self.options.admin_pin_hash and self._in_corner(touch):  # type: ignore[attr-defined]
            self._corner_press = (touch.uid, self._mono())  # type: ignore[attr-defined]

    def _corner_move(self, touch: Any) -> None:
        if self._corner_press and self._corner_press[0] == touch.uid and not self._in_corner(touch):
            self._corner_press = None

    def _corner_up(self, touch: Any) -> None:
        if self._corner_press and self._corner_press[0] == touch.uid:
            self._corner_press = None

    def _check_corner(self, now: float) -> None:
        if self._corner_press and now - self._corner_press[1] >= self.options.admin_hold_s:  # type: ignore[attr-defined]
            self._corner_press = None
            self.open_pin()

    # -- PIN ------------------------------------------------------------------------------
    def open_pin(self) -> None:
        if not self.options.admin_pin_hash:  # type: ignore[attr-defined]
            return
        self.pin_pad.entered = ""  # type: ignore[attr-defined]
        self.pin_pad.message = ""  # type: ignore[attr-defined]
        log.info("admin PIN requested")
        self._show(self.pin_pad)  # type: ignore[attr-defined]

    def submit_pin(self, pin: str) -> None:
        ui = interface_strings(self.lang)  # type: ignore[attr-defined]
        locked = self.pins.locked_for()  # type: ignore[attr-defined]
        if locked > 0:
            self.pin_pad.message = ui["locked"].format(seconds=int(locked + 0.999))  # type: ignore[attr-defined]
            return
        if not self.pins.check(pin):  # type: ignore[attr-defined]
            locked = self.pins.locked_for()  # type: ignore[attr-defined]
            self.pin_pad.message = ui["locked"].format(seconds=int(locked + 0.999)) if locked else ui["wrong_pin"]  # type: ignore[attr-defined]
            log.warning("admin PIN refused")
            return
        self._hide(self.pin_pad)  # type: ignore[attr-defined]
        self.open_admin_panel()

    # -- the overlay ----------------------------------------------------------------------
    def open_admin_panel(self) -> None:
        ui = interface_strings(self.lang)  # type: ignore[attr-defined]
        info = None
        if self.options.admin_info is not None:  # type: ignore[attr-defined]
            try:
                info = self.options.admin_info()  # type: ignore[attr-defined]
            except Exception:  # the cache may be busy; the overlay still opens
                log.exception("admin overlay: could not read the device state")
        rows = [(ui["device"], info.device_id if info else ui["unknown"]),
                (ui["software"], info.software_version if info else ui["unknown"]),
                (ui["content"], info.content_version if info else ui["unknown"])]
        if info is not None and info.last_sync is not None:
            s = info.last_sync
            when = s.finished_at.strftime("%Y-%m-%d %H:%M:%S %Z") if s.finished_at else ""
            rows.append((ui["last_sync"], " · ".join(x for x in (when, s.outcome, s.message) if x)))
        else:
            rows.append((ui["last_sync"], ui["never"]))
        rows.append((ui["network"], info.network if info else ui["unknown"]))
        if info is not None and info.reserve_period is not None:
            names, last_day = info.reserve_period
            rows.append((ui["reserve"], ui["reserve_until"].format(
                names=names, date=timefmt.full_date(last_day, self.lang))))  # type: ignore[attr-defined]
        actions = [(f"admin-{name}", ui[name]) for name in ACTIONS
                   if getattr(self.options.admin_actions, name) is not None]  # type: ignore[attr-defined]
        self.admin_panel.status = ""  # type: ignore[attr-defined]
        self.admin_panel.show(info, rows, actions)  # type: ignore[attr-defined]
        self._show(self.admin_panel)  # type: ignore[attr-defined]

    def admin_action(self, tid: str) -> None:
        name = tid.removeprefix("admin-")
        action = getattr(self.options.admin_actions, name, None)  # type: ignore[attr-defined]
        if action is None:
            return
        ui = interface_strings(self.lang)  # type: ignore[attr-defined]
        log.info("admin overlay: %s", name)
        try:
            action()
            self.admin_panel.status = ui["requested"].format(action=ui[name])  # type: ignore[attr-defined]
        except Exception as e:  # the host's callback failed; say so, keep the overlay
            if getattr(e, "expected", False):  # a known refusal (e.g. no sync service): one line
                log.warning("admin action %s: %s", name, e)
            else:
                log.exception("admin action %s failed", name)
            # A message of the catalogues (e.g. kiosk.device.sync_now's) shows in the visitor's language.
            self.admin_panel.status = f"{ui[name]}: {gettext_for(self.lang)(str(e))}"  # type: ignore[attr-defined]

    def close_admin(self) -> None:
        self._hide(self.pin_pad)  # type: ignore[attr-defined]
        self._hide(self.admin_panel)  # type: ignore[attr-defined]

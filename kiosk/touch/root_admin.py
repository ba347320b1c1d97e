"""The hidden gesture, the PIN pad and the admin overlay: a controller the touch root owns.

:class:`AdminController` is given what it needs (the touch options, a monotonic clock, the
visitor's language, how to show and hide an overlay on the root) and owns its two
overlays; their kv handlers call it. Kivy side (imported by :mod:`kiosk.touch.root`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from player.i18n import gettext_for

from . import timefmt
from .admin import AdminInfo, PinGate
from .look import LOOK
from .options import TouchOptions
from .overlays import AdminPanel, Modal, PinPad
from .ui_text import interface_strings

log = logging.getLogger(__name__)

ACTIONS = ("sync_now", "test_card", "restart_player")


class AdminController:
    def __init__(self, options: TouchOptions, monotonic: Callable[[], float], *, language: Callable[[], str],
                 show: Callable[[Modal], None], hide: Callable[[Modal], None]) -> None:
        self.options = options
        self.pins = PinGate(options.admin_pin_hash, monotonic)
        self._mono = monotonic
        self._language = language
        self._show = show
        self._hide = hide
        self._corner_press: tuple[object, float] | None = None
        self.pin_pad = PinPad(controller=self)
        self.admin_panel = AdminPanel(controller=self)

    # -- the 5-second press in the top-left corner --------------------------------------
    def _in_corner(self, touch: Any, top: float) -> bool:
        side = LOOK.target * 1.5
        # The root's own top, not the window's: the picture may be turned (display.orientation).
        return bool(touch.x <= side and touch.y >= top - side)

    def corner_down(self, touch: Any, top: float) -> None:
        if self.options.admin_pin_hash and self._in_corner(touch, top):
            self._corner_press = (touch.uid, self._mono())

    def corner_move(self, touch: Any, top: float) -> None:
        if self._corner_press and self._corner_press[0] == touch.uid and not self._in_corner(touch, top):
            self._corner_press = None

    def corner_up(self, touch: Any) -> None:
        if self._corner_press and self._corner_press[0] == touch.uid:
            self._corner_press = None

    def check_corner(self, now: float) -> None:
        """Called at each tick of the root: a press held long enough opens the PIN pad."""
        if self._corner_press and now - self._corner_press[1] >= self.options.admin_hold_s:
            self._corner_press = None
            self.open_pin()

    # -- PIN ------------------------------------------------------------------------------
    def open_pin(self) -> None:
        if not self.options.admin_pin_hash:
            return
        self.pin_pad.entered = ""
        self.pin_pad.message = ""
        log.info("admin PIN requested")
        self._show(self.pin_pad)

    def submit_pin(self, pin: str) -> None:
        ui = interface_strings(self._language())
        locked = self.pins.locked_for()
        if locked > 0:
            self.pin_pad.message = ui["locked"].format(seconds=int(locked + 0.999))
            return
        if not self.pins.check(pin):
            locked = self.pins.locked_for()
            self.pin_pad.message = ui["locked"].format(seconds=int(locked + 0.999)) if locked else ui["wrong_pin"]
            log.warning("admin PIN refused")
            return
        self._hide(self.pin_pad)
        self.open_admin_panel()

    # -- the overlay ----------------------------------------------------------------------
    def open_admin_panel(self) -> None:
        lang = self._language()
        ui = interface_strings(lang)
        info: AdminInfo | None = None
        if self.options.admin_info is not None:
            try:
                info = self.options.admin_info()
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
                names=names, date=timefmt.full_date(last_day, lang))))
        actions = [(f"admin-{name}", ui[name]) for name in ACTIONS
                   if getattr(self.options.admin_actions, name) is not None]
        self.admin_panel.status = ""
        self.admin_panel.show(info, rows, actions)
        self._show(self.admin_panel)

    def admin_action(self, tid: str) -> None:
        name = tid.removeprefix("admin-")
        action = getattr(self.options.admin_actions, name, None)
        if action is None:
            return
        lang = self._language()
        ui = interface_strings(lang)
        log.info("admin overlay: %s", name)
        try:
            action()
            self.admin_panel.status = ui["requested"].format(action=ui[name])
        except Exception as e:  # the host's callback failed; say so, keep the overlay
            if getattr(e, "expected", False):  # a known refusal (e.g. no sync service): one line
                log.warning("admin action %s: %s", name, e)
            else:
                log.exception("admin action %s failed", name)
            # A message of the catalogues (e.g. kiosk.device.sync_now's) shows in the visitor's language.
            self.admin_panel.status = f"{ui[name]}: {gettext_for(lang)(str(e))}"

    def close_admin(self) -> None:
        self._hide(self.pin_pad)
        self._hide(self.admin_panel)

"""What the player's helpers use of the app: the device link (:mod:`kiosk.app.device_link`),
the touch layer (:mod:`kiosk.app.touch_layer`) and the service hooks (:mod:`kiosk.app.hooks`)
depend on this Protocol, not on :class:`kiosk.app.player_app.PlayerApp`, which satisfies it
(tests may pass a small stand-in). Every member exists from the app's ``__init__``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kiosk.app.frame_pacer import FramePacer
    from kiosk.app.options import PlayerOptions
    from kiosk.app.services import PlayerServices
    from kiosk.app.state import PlaybackState


class PlayerHost(Protocol):
    @property
    def options(self) -> PlayerOptions: ...

    @property
    def state(self) -> PlaybackState: ...

    @property
    def pacer(self) -> FramePacer: ...

    # -- what is on screen (kiosk status) ---------------------------------------------------
    @property
    def current_item_id(self) -> str | None: ...

    @property
    def current_kind(self) -> str | None: ...

    @property
    def current_reason(self) -> str: ...

    @property
    def shown(self) -> list[str]: ...

    @property
    def alerts_on_screen(self) -> list[str]: ...

    @property
    def touch_mode(self) -> str | None: ...

    @property
    def services(self) -> PlayerServices | None: ...

    @property
    def services_phase(self) -> str: ...

    # -- what the helpers ask of it (on the UI thread) --------------------------------------
    def show_next(self) -> None: ...

    def show_test_card(self, seconds: float) -> None: ...

    def pause_loop(self) -> None: ...

    def resume_loop(self) -> None: ...

    def bottom_band_height(self) -> float: ...

    def set_screen_power(self, on: bool) -> None: ...

    def check_new_content(self) -> None: ...

    def stop(self, *largs: Any) -> None: ...

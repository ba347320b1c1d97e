"""What the player app's mixins (:mod:`kiosk.app.slide_loop`, :mod:`kiosk.app.schedule_watch`)
see of it: the attributes :class:`kiosk.app.player_app.PlayerApp` sets in its ``__init__``
and the methods they call across each other, declared for type checking only (annotations:
nothing here shadows Kivy's own). Its helpers see it as a :class:`kiosk.app.host.PlayerHost`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kiosk.app.bands import LoopBands
    from kiosk.app.device_link import DeviceLink
    from kiosk.app.frame_pacer import FramePacer
    from kiosk.app.next_slide import NextSlide
    from kiosk.app.options import PlayerOptions
    from kiosk.app.proof_of_play import ProofOfPlay, SerialWriter
    from kiosk.app.screenshots import ScreenshotSaver
    from kiosk.app.services import PlayerServices
    from kiosk.app.state import PlaybackState
    from kiosk.app.test_card import TestCardOverlay
    from kiosk.app.touch_layer import TouchLayer
    from player.render.slides import Slide


class Cancellable(Protocol):
    """A pending call: :class:`OnTime`, or a Kivy ``ClockEvent``."""

    def cancel(self) -> None: ...


class PlayerParts:
    """The player app's state and methods as its mixins use them (annotations only)."""

    options: PlayerOptions
    state: PlaybackState
    exit_code: int
    _current: Slide | None
    _advance: Callable[[], None]  # a Clock trigger: show_next at the next frame
    _slide_timer: Cancellable | None
    _deadline: Cancellable | None
    _trim_heap: Callable[[], None] | None
    screenshots: ScreenshotSaver
    test_card: TestCardOverlay
    _top: Any  # the Widget the picture is made of (before any turn)
    shown: list[str]
    current_kind: str | None
    current_reason: str
    pacer: FramePacer
    device: DeviceLink
    _pending: Slide | None
    next_slide: NextSlide
    _proof_writer: SerialWriter
    proof: ProofOfPlay
    _kiosk_key: tuple[int, bool] | None
    _loop_paused: bool
    _dark: bool
    services: PlayerServices | None
    services_phase: str
    _stopping: bool
    touch: TouchLayer | None
    bands: LoopBands
    # methods of PlayerApp and of its mixins, called across them
    show_next: Callable[[], None]
    _after_first_frame: Callable[[float], None]

"""Where the visitor is (:class:`Place`), and what the touch root's parts see of it: the
attributes :class:`kiosk.touch.root.TouchRoot` sets in its ``__init__`` and the methods its
mixins (:mod:`kiosk.touch.root_navigation`, :mod:`kiosk.touch.root_idle`) call on each
other, declared for type checking only (annotations: nothing here shadows Kivy's own)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from .catalogue import Catalogue
from .idle import IdleTimer
from .list_pages import ListPages
from .options import TouchOptions
from .overlays import AdminPanel, AttractLayer, IdleBoard, IdleOverlay, PinPad
from .root_admin import AdminController
from .root_alerts import AlertController
from .screens import DetailScreen, HomeScreen, KioskScreen, ListScreen
from .speech import ReadAloud


@dataclass(frozen=True)
class Place:
    """Where the visitor is: a screen and what it shows, and how far it was scrolled."""

    screen: str  # home | list | detail
    category: str = ""
    doc_id: str = ""
    filter: str = "all"
    scroll: float = 1.0


class LookApplier(Protocol):
    """:meth:`kiosk.touch.root.TouchRoot._apply_look`'s signature."""

    def __call__(self, rerender: bool) -> None: ...


class RootParts:
    """The touch root's state and methods as its mixins use them (annotations only)."""

    # Kivy's (the widget's size, its events, the two properties of TouchRoot)
    width: float
    height: float
    dispatch: Callable[..., Any]
    mode: str
    lang: str
    # set by TouchRoot.__init__
    options: TouchOptions
    _now: Callable[[], datetime]
    _mono: Callable[[], float]
    catalogue: Catalogue
    high_contrast: bool
    large_text: bool
    history: list[Place]
    place: Place
    idle: IdleTimer
    speech: ReadAloud
    _derived: Path | None
    list_pages: ListPages
    _ahead: list[str]
    _build_ahead: Callable[[], None]
    _minute: int
    _speech_text: str
    sm: Any  # a ScreenManager
    home_screen: HomeScreen
    list_screen: ListScreen
    detail_screen: DetailScreen
    screens: dict[str, KioskScreen]
    _attract_slot: Any  # FloatLayouts: the layers over the screens
    _alert_slot: Any
    _dialog_slot: Any
    _loop: Any  # the host's signage loop (a Widget), or None
    attract_layer: AttractLayer
    idle_board: IdleBoard
    alerts: AlertController
    idle_overlay: IdleOverlay
    admin: AdminController
    pin_pad: PinPad
    admin_panel: AdminPanel
    # methods of TouchRoot and of its mixins, called across them
    _refresh_alerts: Callable[[], None]
    _apply_look: LookApplier
    _render: Callable[[Place], None]

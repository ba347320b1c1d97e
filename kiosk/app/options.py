"""How the player process is asked to run: what the command line and the config decided."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.config import Config, Mode, Orientation, TickerPlace
from player.schedule import DurationLimits


@dataclass(frozen=True)
class PlayerOptions:
    data_dir: Path
    fullscreen: bool = True
    headless: bool = False
    screenshots: Path | None = None
    duration_s: float | None = None
    size: tuple[int, int] = (1280, 720)
    lang: str | None = None
    playlist: str | None = None
    limits: DurationLimits = field(default_factory=DurationLimits)
    poll_s: float = 2.0
    # Delay between a slide appearing and its screenshot (video needs its first frames).
    screenshot_delay_s: float = 0.6
    # Frame rate on a still slide (see kiosk.app.frame_pacer); 60 disables the saving.
    idle_fps: float | None = None  # None: 1 in signage mode, 4 with a touch UI
    # "signage" (loop only), "kiosk" (touch UI only), "hybrid" (the loop attracts, a tap opens the kiosk)
    mode: Mode = "signage"
    device_id: str | None = None
    admin_pin_hash: str | None = None
    # Where the ticker strip of bulletin titles goes: "bottom", "top", or None (no ticker).
    ticker: TickerPlace | None = None
    # display.orientation: the picture turns by this many degrees counterclockwise (as
    # Kivy's Window.rotation), i.e. 90 for a panel mounted a quarter turn clockwise.
    orientation: Orientation = 0
    # display.dpi / display.width_mm of the config: the touch UI sizes its targets from them.
    display_dpi: float | None = None
    display_width_mm: float | None = None
    # [player] frame_flush: glFinish after each frame when headless (kiosk.app.frame_pacer.flush_each_frame).
    frame_flush: bool = True
    # [player] heap_trim: collect and trim the C heap after slide changes (kiosk.app.heap_trim).
    heap_trim: bool = True
    config_path: Path | None = None  # the config file read, for `kiosk sync --once` from the admin overlay
    # The device config: display power schedule, USB import (kiosk.app.services).
    # None (tests building options by hand): those services do not run.
    config: Config | None = None
    # `--at`: play as if the clock read this instant (then running on from it), to preview
    # a day-part, a holiday or an election period. Nothing is recorded as played.
    preview_at: datetime | None = None

"""The device config as values: one frozen dataclass per section of ``kiosk.toml``.

Field names are the file's keys (``cfg.display.orientation`` is ``[display] orientation``);
times are in seconds, sizes in bytes. :func:`kiosk.config.load_config` builds them, after
checking every key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Literal, get_args

from content_cache import DEFAULT_TIMEZONE

Mode = Literal["signage", "kiosk", "hybrid"]
# display.orientation: the picture turns by this many degrees counterclockwise (as Kivy's
# Window.rotation), i.e. 90 for a panel mounted a quarter turn clockwise.
Orientation = Literal[0, 90, 180, 270]
TickerPlace = Literal["bottom", "top"]
PowerBackendName = Literal["auto", "vcgencmd", "wlr-randr", "xset", "cec", "backlight", "none"]

MODES: tuple[Mode, ...] = get_args(Mode)
ORIENTATIONS: tuple[Orientation, ...] = get_args(Orientation)
TICKER_PLACES: tuple[TickerPlace, ...] = get_args(TickerPlace)
POWER_BACKENDS: tuple[PowerBackendName, ...] = get_args(PowerBackendName)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# One weekday's screen hours: True on all day, False off all day, (on, off) a window
# that runs past midnight when off <= on.
DayHours = bool | tuple[time, time]


@dataclass(frozen=True)
class DeviceSection:
    """``[device]``: who this device is and what it shows."""

    id: str | None = None
    # "signage" (loop only), "kiosk" (touch UI only), "hybrid" (the loop attracts, a tap opens the kiosk)
    mode: Mode = "signage"
    admin_pin_hash: str | None = field(default=None, repr=False)  # never the PIN itself
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class ApiSection:
    """``[api]``: the content API; ``token`` is what ``token_file`` holds (never printed)."""

    url: str | None = None
    token_file: Path | None = None
    token: str | None = field(default=None, repr=False)
    ca_bundle: Path | None = None


@dataclass(frozen=True)
class SyncSection:
    """``[sync]``: the sync daemon's rhythm (seconds), download parallelism, and the
    manifest's total deadline (seconds, every attempt included)."""

    interval: float = 300.0
    jitter: float = 30.0
    parallel_downloads: int = 3
    manifest_deadline: float = 120.0
    heartbeat_interval: float = 900.0
    upload_interval: float = 120.0


@dataclass(frozen=True)
class CacheSection:
    """``[cache]``: the device's data folder (None: :func:`kiosk.config.paths.default_data_dir`)
    and the media quota in bytes (None: no quota)."""

    dir: Path | None = None
    max_bytes: int | None = None


@dataclass(frozen=True)
class DisplaySection:
    """``[display]``: how the picture sits on the panel, its power schedule, its density."""

    orientation: Orientation = 0
    ticker: TickerPlace | None = None  # a strip of bulletin titles; None: none
    power_backend: PowerBackendName = "auto"
    output: str | None = None
    on: time | None = None
    off: time | None = None
    week: tuple[tuple[int, DayHours], ...] = ()  # (weekday 0 = Monday, hours), sorted
    # The screen's physical pixel density, or the width in mm of the picture as the visitor
    # sees it (after display.orientation): touch targets are sized from it (at least 9 mm).
    dpi: float | None = None
    width_mm: float | None = None


@dataclass(frozen=True)
class ReportsSection:
    """``[reports]``: the proof-of-play log kept on the device for the election-period reports."""

    retention_days: int = 400


@dataclass(frozen=True)
class MonitoringSection:
    """``[monitoring]``: what the sync daemon reports besides its heartbeat (kiosk/device/reporting.py)."""

    screenshot_interval: float = 900.0  # a screenshot for the hub this often (seconds); 0: only when asked
    screenshot_width: int = 480
    textfile_dir: Path = Path("/var/lib/prometheus/node-exporter")  # kiosk.prom, when the folder exists


@dataclass(frozen=True)
class PlayerSection:
    """``[player]``: tuning switches of the player process (docs/device.md, docs/performance.md)."""

    # glFinish after each frame when rendering offscreen (headless): without it Mesa's
    # llvmpipe keeps deleted textures alive and memory grows (kiosk.app.frame_pacer).
    frame_flush: bool = True
    # After slide changes, collect the old slide and malloc_trim the heap; glibc's mmap
    # threshold and arena count fixed at start (kiosk.app.heap_trim).
    heap_trim: bool = True


@dataclass(frozen=True)
class Config:
    """The whole device config; every section has its defaults when absent from the file."""

    device: DeviceSection = field(default_factory=DeviceSection)
    api: ApiSection = field(default_factory=ApiSection)
    sync: SyncSection = field(default_factory=SyncSection)
    cache: CacheSection = field(default_factory=CacheSection)
    display: DisplaySection = field(default_factory=DisplaySection)
    reports: ReportsSection = field(default_factory=ReportsSection)
    monitoring: MonitoringSection = field(default_factory=MonitoringSection)
    player: PlayerSection = field(default_factory=PlayerSection)
    # [neutrality]: elections and policy over the manifest's, kept raw and checked by
    # player.neutrality (a problem there is reported, never stops the player).
    neutrality: dict[str, Any] | None = field(default=None, hash=False)

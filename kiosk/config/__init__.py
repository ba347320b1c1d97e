"""Device configuration (`/etc/kiosk/kiosk.toml`): typed sections, all errors at once.

Read by every device process: the player, the sync daemon and the ``kiosk`` command.

The file's sections are frozen dataclasses (:mod:`kiosk.config.model`: ``cfg.device.mode``,
``cfg.display.orientation``…), built by :func:`load_config` (:mod:`kiosk.config.load`)
from converters per key (:mod:`kiosk.config.values`). Every problem is reported as
``section.key: problem`` (with "did you mean …?" for an unknown key), so a technician
fixes a file in one go. Secrets are read from a separate file (``api.token_file``, mode
0600) and never printed. :func:`sync_settings` is the one mapping from the config to
the sync client's settings; :mod:`kiosk.config.paths` says where the data folder is.
"""
from __future__ import annotations

from .load import DEFAULT_CONFIG, SCHEMA, ConfigError, load_config, load_device_config
from .model import (
    MODES,
    ORIENTATIONS,
    POWER_BACKENDS,
    TICKER_PLACES,
    WEEKDAYS,
    ApiSection,
    CacheSection,
    Config,
    DayHours,
    DeviceSection,
    DisplaySection,
    Mode,
    MonitoringSection,
    Orientation,
    PlayerSection,
    PowerBackendName,
    ReportsSection,
    SyncSection,
    TickerPlace,
)
from .sync_settings import sync_settings
from .values import parse_clock, parse_day_hours, parse_size

__all__ = [
    "DEFAULT_CONFIG",
    "MODES",
    "ORIENTATIONS",
    "POWER_BACKENDS",
    "SCHEMA",
    "TICKER_PLACES",
    "WEEKDAYS",
    "ApiSection",
    "CacheSection",
    "Config",
    "ConfigError",
    "DayHours",
    "DeviceSection",
    "DisplaySection",
    "Mode",
    "MonitoringSection",
    "Orientation",
    "PlayerSection",
    "PowerBackendName",
    "ReportsSection",
    "SyncSection",
    "TickerPlace",
    "load_config",
    "load_device_config",
    "parse_clock",
    "parse_day_hours",
    "parse_size",
    "sync_settings",
]

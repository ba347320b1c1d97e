"""Reading ``kiosk.toml``: the schema of every section, every problem collected at once."""
from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import values as v
from .model import (
    MODES,
    ORIENTATIONS,
    POWER_BACKENDS,
    ApiSection,
    CacheSection,
    Config,
    DeviceSection,
    DisplaySection,
    MonitoringSection,
    PlayerSection,
    ReportsSection,
    SyncSection,
)

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path("/etc/kiosk/kiosk.toml")

# section -> key -> converter; a key is the field of the same name of the section's
# dataclass (kiosk.config.model). The order is the order `kiosk provision` writes the file in.
SCHEMA: dict[str, dict[str, v.Converter]] = {
    "device": {
        "id": v.device_id,
        "mode": v.choice(MODES),
        "admin_pin_hash": v.pin_hash,
        "timezone": v.timezone,
    },
    "api": {
        "url": v.url,
        "token_file": v.path,
        "ca_bundle": v.path,
    },
    "sync": {
        "interval": v.number(10, 86400),
        "jitter": v.number(0, 3600),
        "parallel_downloads": v.whole(1, 16),
        "manifest_deadline": v.number(1, 3600),
        "heartbeat_interval": v.number(30, 86400),
        "upload_interval": v.number(10, 86400),
    },
    "cache": {"dir": v.path, "max_bytes": v.parse_size},
    "display": {
        "orientation": v.choice(ORIENTATIONS),
        "ticker": v.ticker,
        "power_backend": v.choice(POWER_BACKENDS),
        "output": v.output_name,
        "on": v.parse_clock,
        "off": v.parse_clock,
        "week": v.week,
        "dpi": v.number(40, 1000),
        "width_mm": v.number(40, 10000),
    },
    # proof-of-play log kept on the device for the election-period reports
    "reports": {"retention_days": v.whole(30, 3650)},
    "monitoring": {
        "screenshot_interval": v.screenshot_interval,
        "screenshot_width": v.whole(160, 1920),
        "textfile_dir": v.path,
    },
    # tuning of the player process; both on unless a measurement says otherwise
    "player": {"frame_flush": v.flag, "heap_trim": v.flag},
    "neutrality": {},  # kept raw, see Config.neutrality
}


class ConfigError(Exception):
    """The config file cannot be used; ``problems`` holds one line each (``section.key: …``)."""

    def __init__(self, problems: list[str], source: str) -> None:
        self.problems = problems
        self.source = source
        super().__init__(f"{source}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]


def _cross_problems(values: Mapping[str, Mapping[str, Any]], data: Mapping[str, Any]) -> list[str]:
    """Rules that involve two keys (each key alone was already checked)."""
    table = data.get("display")
    display: Mapping[str, Any] = table if isinstance(table, dict) else {}
    checked = values.get("display", {})
    problems = []
    if ("on" in display) != ("off" in display):
        present, absent = ("on", "off") if "on" in display else ("off", "on")
        problems.append(f"display.{absent}: missing (display.{present} is set; give both)")
    elif checked.get("on") is not None and checked.get("on") == checked.get("off"):
        problems.append("display.off: same time as display.on")
    if "dpi" in display and "width_mm" in display:
        problems.append("display.width_mm: give display.dpi or display.width_mm, not both")
    return problems


def _read_token(token_file: Path, config_path: Path, problems: list[str]) -> str | None:
    token_path = token_file if token_file.is_absolute() else config_path.parent / token_file
    try:
        token = token_path.read_text("utf-8").strip()
        _warn_if_others_can_read(token_path)
    except OSError as e:
        problems.append(f"api.token_file: cannot read {token_path} ({e.strerror})")
        return None
    if not token:
        problems.append(f"api.token_file: {token_path} is empty")
    return token or None


def _warn_if_others_can_read(token_path: Path) -> None:
    mode = token_path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("api.token_file: %s is readable by other users (mode %04o): chmod 600 %s "
                    "(kiosk provision does it)", token_path, mode, token_path)


def load_config(path: Path) -> Config:
    """Read and check ``path``; raise :class:`ConfigError` listing every problem."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(["file not found"], str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([f"not valid TOML: {e}"], str(path)) from None
    problems: list[str] = []
    values: dict[str, dict[str, Any]] = {}
    neutrality: dict[str, Any] | None = None
    for section, table in data.items():
        if section not in SCHEMA:
            problems.append(f"{section}: unknown section{v.suggest(section, list(SCHEMA))}")
            continue
        if not isinstance(table, dict):
            problems.append(f"{section}: expected a [{section}] table")
            continue
        if section == "neutrality":
            neutrality = table
            continue
        keys = SCHEMA[section]
        for key, value in table.items():
            conv = keys.get(key)
            if conv is None:
                problems.append(f"{section}.{key}: unknown key{v.suggest(key, list(keys))}")
                continue
            try:
                values.setdefault(section, {})[key] = conv(value)
            except ValueError as e:
                problems.append(f"{section}.{key}: {e}")
    problems += _cross_problems(values, data)
    api = ApiSection(**values.get("api", {}))
    if api.token_file is not None:
        api = replace(api, token=_read_token(api.token_file, path, problems))
    if problems:
        raise ConfigError(problems, str(path))
    return Config(
        device=DeviceSection(**values.get("device", {})),
        api=api,
        sync=SyncSection(**values.get("sync", {})),
        cache=CacheSection(**values.get("cache", {})),
        display=DisplaySection(**values.get("display", {})),
        reports=ReportsSection(**values.get("reports", {})),
        monitoring=MonitoringSection(**values.get("monitoring", {})),
        player=PlayerSection(**values.get("player", {})),
        neutrality=neutrality,
    )


def load_device_config(path: Path | None) -> Config:
    """The config file named, else the default one if present, else defaults."""
    if path is None:
        return load_config(DEFAULT_CONFIG) if DEFAULT_CONFIG.is_file() else Config()
    return load_config(path)

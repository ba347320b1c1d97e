"""Device configuration (`/etc/kiosk/kiosk.toml`): a typed schema, all errors at once.

Read by every device process: the player, the sync daemon and the ``kiosk`` command.

Every problem is reported as ``section.key: problem`` (with "did you mean …?" for an
unknown key), so a technician fixes a file in one go. Secrets are read from a separate
file (``api.token_file``, mode 0600) and never printed.
"""
from __future__ import annotations

import difflib
import logging
import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from content_cache import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path("/etc/kiosk/kiosk.toml")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*$", re.IGNORECASE)
_CLOCK_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MODES = ("signage", "kiosk", "hybrid")
ORIENTATIONS = (0, 90, 180, 270)
TICKER_PLACES = ("bottom", "top")
POWER_BACKENDS = ("auto", "vcgencmd", "wlr-randr", "xset", "cec", "backlight", "none")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# One weekday's screen hours: True on all day, False off all day, (on, off) a window
# that runs past midnight when off <= on.
DayHours = bool | tuple[time, time]


class ConfigError(Exception):
    def __init__(self, problems: list[str], source: str) -> None:
        self.problems = problems
        self.source = source
        super().__init__(f"{source}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]


@dataclass(frozen=True)
class Config:
    device_id: str | None = None
    api_url: str | None = None
    token: str | None = field(default=None, repr=False)
    ca_bundle: Path | None = None
    data_dir: Path | None = None
    poll_s: float = 300.0
    poll_jitter_s: float = 30.0
    parallel_downloads: int = 3
    heartbeat_s: float = 900.0
    upload_s: float = 120.0
    max_cache_bytes: int | None = None
    mode: str = "signage"
    admin_pin_hash: str | None = field(default=None, repr=False)
    timezone: str = DEFAULT_TIMEZONE
    orientation: int = 0
    ticker: str | None = None  # "bottom" | "top": a strip of bulletin titles; None: none
    display_power_backend: str = "auto"
    display_output: str | None = None
    display_on: time | None = None
    display_off: time | None = None
    display_week: tuple[tuple[int, DayHours], ...] = ()
    # The screen's physical pixel density, or the width in mm of the picture as the visitor
    # sees it (after display.orientation): touch targets are sized from it (at least 9 mm).
    display_dpi: float | None = None
    display_width_mm: float | None = None
    # [neutrality]: elections and policy over the manifest's, kept raw and checked by
    # player.neutrality (a problem there is reported, never stops the player).
    neutrality: dict[str, Any] | None = field(default=None, hash=False)
    play_log_days: int = 400
    # [monitoring]: what the sync daemon reports besides its heartbeat (kiosk/device/reporting.py)
    screenshot_s: float = 900.0  # a screenshot for the hub this often; 0: only when asked
    screenshot_width: int = 480
    textfile_dir: Path = Path("/var/lib/prometheus/node-exporter")  # kiosk.prom, when the folder exists


def parse_size(value: Any) -> int:
    """``8G``, ``500M``, ``1.5G`` or a plain number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    m = _SIZE_RE.match(str(value)) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a size (e.g. 8G, 500M or a number of bytes)")
    n = float(m.group(1)) * 1024 ** "_KMGT".index(m.group(2).upper() or "_")
    if n <= 0:
        raise ValueError("must be more than 0")
    return int(n)


# section -> key -> (Config field, converter)
def _number(lo: float, hi: float):  # noqa: ANN202
    def conv(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{v!r} is not a number")
        if not lo <= v <= hi:
            raise ValueError(f"{v} is out of range {lo:g}..{hi:g}")
        return float(v)
    return conv


def _int(lo: int, hi: int):  # noqa: ANN202
    def conv(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"{v!r} is not a whole number")
        if not lo <= v <= hi:
            raise ValueError(f"{v} is out of range {lo}..{hi}")
        return v
    return conv


def _device_id(v: Any) -> str:
    if not isinstance(v, str) or not _ID_RE.match(v):
        raise ValueError(f"{v!r} is not a device id (a-z, 0-9, '-', '_', up to 64)")
    return v


def _url(v: Any) -> str:
    from sync.wording import api_url_problem  # the sync's own rule: a base URL, http(s)

    if not isinstance(v, str) or not re.match(r"^https?://[^\s/]+", v):
        raise ValueError(api_url_problem(str(v)) or f"{v!r} is not an http(s) URL")
    problem = api_url_problem(v)
    if problem:
        raise ValueError(problem)
    return v.rstrip("/")


def _path(v: Any) -> Path:
    if not isinstance(v, str) or not v:
        raise ValueError(f"{v!r} is not a path")
    return Path(v)


def _choice(options: tuple[Any, ...]):  # noqa: ANN202
    def conv(v: Any) -> Any:
        if not any(type(v) is type(o) and v == o for o in options):
            raise ValueError(f"{v!r} is not one of {', '.join(map(str, options))}")
        return v
    return conv


def _timezone(v: Any) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"{v!r} is not a known time zone (e.g. Europe/Paris)") from None
    return v


def parse_clock(v: Any) -> time:
    """``"06:30"`` → 06:30 (24-hour, two digits each)."""
    m = _CLOCK_RE.match(v) if isinstance(v, str) else None
    if not m:
        raise ValueError(f"{v!r} is not a time of day HH:MM")
    return time(int(m.group(1)), int(m.group(2)))


def parse_day_hours(v: Any) -> DayHours:
    """``"on"``, ``"off"`` or ``"HH:MM-HH:MM"`` (screen on from the first to the second)."""
    if v in ("on", "off"):
        return v == "on"
    parts = v.split("-") if isinstance(v, str) else []
    if len(parts) != 2:
        raise ValueError(f"{v!r} is not \"on\", \"off\" or \"HH:MM-HH:MM\"")
    on, off = parse_clock(parts[0].strip()), parse_clock(parts[1].strip())
    if on == off:
        raise ValueError(f"{v!r} starts and ends at the same time")
    return on, off


def _week(v: Any) -> tuple[tuple[int, DayHours], ...]:
    if not isinstance(v, dict):
        raise ValueError("expected a table of weekdays, e.g. [display.week] sun = \"off\"")
    out, problems = [], []
    for day, hours in v.items():
        if day not in WEEKDAYS:
            problems.append(f"{day}: not a weekday (mon … sun){_suggest(day, list(WEEKDAYS))}")
            continue
        try:
            out.append((WEEKDAYS.index(day), parse_day_hours(hours)))
        except ValueError as e:
            problems.append(f"{day}: {e}")
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(sorted(out, key=lambda kv: kv[0]))


def _ticker(v: Any) -> str | None:
    # true is the usual place (bottom, above the status bar); false: no ticker.
    if v is True or v is False:
        return "bottom" if v else None
    if v in TICKER_PLACES:
        return v
    raise ValueError(f"{v!r} is not true, false, \"bottom\" or \"top\"")


def _output_name(v: Any) -> str:
    if not isinstance(v, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", v):
        raise ValueError(f"{v!r} is not an output name (e.g. HDMI-A-1)")
    return v


def _pin_hash(v: Any) -> str:
    # made by `python -m kiosk.touch.admin PIN`; never the PIN itself
    if not isinstance(v, str) or not re.match(r"^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$", v):
        raise ValueError("not a PIN hash (make one with: python -m kiosk.touch.admin PIN)")
    return v


def _screenshot_interval(v: Any) -> float:
    if v == 0 and not isinstance(v, bool):
        return 0.0  # only when the hub asks
    return _number(60, 86400)(v)


SCHEMA: dict[str, dict[str, tuple[str, Any]]] = {
    "device": {
        "id": ("device_id", _device_id),
        "mode": ("mode", _choice(MODES)),
        "admin_pin_hash": ("admin_pin_hash", _pin_hash),
        "timezone": ("timezone", _timezone),
    },
    "api": {
        "url": ("api_url", _url),
        "token_file": ("token", _path),
        "ca_bundle": ("ca_bundle", _path),
    },
    "sync": {
        "interval": ("poll_s", _number(10, 86400)),
        "jitter": ("poll_jitter_s", _number(0, 3600)),
        "parallel_downloads": ("parallel_downloads", _int(1, 16)),
        "heartbeat_interval": ("heartbeat_s", _number(30, 86400)),
        "upload_interval": ("upload_s", _number(10, 86400)),
    },
    "cache": {"dir": ("data_dir", _path), "max_bytes": ("max_cache_bytes", parse_size)},
    "display": {
        "orientation": ("orientation", _choice(ORIENTATIONS)),
        "ticker": ("ticker", _ticker),
        "power_backend": ("display_power_backend", _choice(POWER_BACKENDS)),
        "output": ("display_output", _output_name),
        "on": ("display_on", parse_clock),
        "off": ("display_off", parse_clock),
        "week": ("display_week", _week),
        "dpi": ("display_dpi", _number(40, 1000)),
        "width_mm": ("display_width_mm", _number(40, 10000)),
    },
    # proof-of-play log kept on the device for the election-period reports
    "reports": {"retention_days": ("play_log_days", _int(30, 3650))},
    "monitoring": {
        "screenshot_interval": ("screenshot_s", _screenshot_interval),
        "screenshot_width": ("screenshot_width", _int(160, 1920)),
        "textfile_dir": ("textfile_dir", _path),
    },
    "neutrality": {},  # kept raw, see Config.neutrality
}


def _cross_problems(values: dict[str, Any], table: dict[str, Any]) -> list[str]:
    """Rules that involve two keys (each key alone was already checked)."""
    display = table.get("display") if isinstance(table.get("display"), dict) else {}
    problems = []
    if ("on" in display) != ("off" in display):
        present, absent = ("on", "off") if "on" in display else ("off", "on")
        problems.append(f"display.{absent}: missing (display.{present} is set; give both)")
    elif values.get("display_on") is not None and values.get("display_on") == values.get("display_off"):
        problems.append("display.off: same time as display.on")
    if "dpi" in display and "width_mm" in display:
        problems.append("display.width_mm: give display.dpi or display.width_mm, not both")
    return problems


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


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
    values: dict[str, Any] = {}
    for section, table in data.items():
        if section not in SCHEMA:
            problems.append(f"{section}: unknown section{_suggest(section, list(SCHEMA))}")
            continue
        if not isinstance(table, dict):
            problems.append(f"{section}: expected a [{section}] table")
            continue
        if section == "neutrality":
            values["neutrality"] = table
            continue
        for key, value in table.items():
            spec = SCHEMA[section].get(key)
            if spec is None:
                problems.append(f"{section}.{key}: unknown key{_suggest(key, list(SCHEMA[section]))}")
                continue
            name, conv = spec
            try:
                values[name] = conv(value)
            except ValueError as e:
                problems.append(f"{section}.{key}: {e}")
    problems += _cross_problems(values, data)
    token_path = values.get("token")
    if isinstance(token_path, Path):
        token_path = token_path if token_path.is_absolute() else path.parent / token_path
        try:
            token = token_path.read_text("utf-8").strip()
            if not token:
                problems.append(f"api.token_file: {token_path} is empty")
            values["token"] = token or None
            _warn_if_others_can_read(token_path)
        except OSError as e:
            problems.append(f"api.token_file: cannot read {token_path} ({e.strerror})")
    if problems:
        raise ConfigError(problems, str(path))
    return Config(**values)

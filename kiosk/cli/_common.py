"""What the command groups share: the command table's types, argparse value types, the
common options and one-line errors. Imports nothing heavy (every command loads this)."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias
from zoneinfo import ZoneInfo

from kiosk.config.paths import default_data_dir

if TYPE_CHECKING:
    from kiosk.config import Config

Handler: TypeAlias = Callable[[argparse.Namespace], int]
Commands: TypeAlias = dict[str, Handler]
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
# A command group: adds its sub-commands to the parser, returns each one's handler.
Register: TypeAlias = Callable[[Subcommands], Commands]

CONFIG_HELP = "config file (default: /etc/kiosk/kiosk.toml if present)"
DATA_HELP = "data folder"


# -- argparse value types ----------------------------------------------------------------
def screen_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT``, each 64..8192."""
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size {text} out of range 64..8192")
    return w, h


def positive_seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return v


def local_datetime(text: str) -> datetime:
    """An ISO date-time; without an offset it is read in the device's time zone (:func:`in_zone`)."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date-time such as 2027-10-05T10:00, got {text!r}") from None


def aware_datetime(text: str) -> datetime:
    """An ISO date-time with its UTC offset."""
    dt = local_datetime(text)
    if dt.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset (e.g. Z or +01:00)")
    return dt


def in_zone(at: datetime | None, tz: str) -> datetime | None:
    """``at`` read in ``tz`` when it has no offset of its own."""
    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=ZoneInfo(tz))


# -- common options ------------------------------------------------------------------------
def add_data_option(s: argparse.ArgumentParser, text: str = DATA_HELP) -> None:
    s.add_argument("--data", type=Path, default=None, help=text)


def add_config_option(s: argparse.ArgumentParser, text: str = CONFIG_HELP) -> None:
    s.add_argument("--config", type=Path, default=None, help=text)


def data_dir(given: Path | None, cfg: Config | None = None) -> Path:
    """The data folder: ``--data``, else the config's ``cache.dir``, else the default."""
    return given or (cfg.cache.dir if cfg is not None else None) or default_data_dir()


# -- one-line messages -----------------------------------------------------------------------
def error(line: str) -> None:
    print(f"kiosk: error: {line}", file=sys.stderr)


def warning(line: str) -> None:
    print(f"kiosk: warning: {line}", file=sys.stderr)


def fail(message: str, code: int) -> int:
    """Print ``message`` as the command's error line; return ``code`` (its exit code)."""
    error(message)
    return code

"""Log lines stamped in the town's time, with its offset (``2026-12-16T15:00:03+01:00``).

A technician matches a journal line with what the screen showed: the screen's clock reads
the town's time (``device.timezone``), whatever zone the system itself is set to, so the
command's log lines say the town's time too, offset included, once the config is read
(the process's local time, with its offset, before that).
"""
from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo


class TownTimeFormatter(logging.Formatter):
    """``asctime`` as an ISO 8601 local time with its UTC offset, in :attr:`zone`."""

    zone: tzinfo | None = None  # None: the process's local zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, self.zone).astimezone(self.zone).isoformat(timespec="seconds")


def use_town_time(zone_name: str) -> None:
    """From now on, the log lines of this process are stamped in ``zone_name``."""
    try:
        zone = ZoneInfo(zone_name)
    except Exception:  # an unknown zone is the config's own problem to report
        return
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, TownTimeFormatter):
            handler.formatter.zone = zone

"""Items whose renderer failed sit out for a while, so one bad file cannot stall a loop.

Pure Python; time is the monotonic clock, passed in. Each failure is logged once per
item and content version, not on every pass of the loop.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 600.0


class Quarantine:
    def __init__(self, seconds: float = DEFAULT_SECONDS) -> None:
        self.seconds = seconds
        self._until: dict[str, float] = {}
        self._logged: set[tuple[str, str]] = set()

    def add(self, item_id: str, version: str, reason: str, now: float) -> None:
        self._until[item_id] = now + self.seconds
        if (item_id, version) not in self._logged:
            self._logged.add((item_id, version))
            log.warning("item %s cannot be shown (%s); skipped for %.0f min", item_id, reason, self.seconds / 60)

    def blocks(self, item_id: str, now: float) -> bool:
        until = self._until.get(item_id)
        if until is None:
            return False
        if now >= until:
            del self._until[item_id]
            return False
        return True

    def clear(self) -> None:
        """A new content version: give every item a fresh chance (files may be mended)."""
        self._until.clear()

    def __len__(self) -> int:
        return len(self._until)

"""The rotation that walks a loop of items (the engine's answer), one slide after another."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from content_cache import ItemData


class HasItems(Protocol):
    """A loop to walk: the engine's :class:`~player.engine.NowPlaying` has its items."""

    @property
    def items(self) -> tuple[ItemData, ...]: ...


@dataclass(frozen=True)
class _NoItems:
    items: tuple[ItemData, ...] = ()


class Rotation:
    """Cycles through the items of a plan; a new plan continues after the item on screen.

    Items may repeat in a plan (weights), so the position is tracked, not just the id.
    """

    def __init__(self) -> None:
        self._plan: HasItems = _NoItems()
        self._index = -1
        self._last_id: str | None = None

    @property
    def plan(self) -> HasItems:
        """The plan set last (empty at first)."""
        return self._plan

    def set_plan(self, plan: HasItems) -> None:
        old_ids = [i.id for i in self._plan.items]
        new_ids = [i.id for i in plan.items]
        self._plan = plan
        if new_ids == old_ids:
            return
        start = max(self._index, 0)
        self._index = -1
        if self._last_id is not None and new_ids:
            # The occurrence of the current item nearest after its old position.
            n = len(new_ids)
            for step in range(n):
                k = (start + step) % n
                if new_ids[k] == self._last_id:
                    self._index = k
                    break
            else:
                # The item on screen is gone (replaced or withdrawn): carry on from its
                # place rather than starting the loop over.
                self._index = start if start < n else -1

    def next_item(self) -> ItemData | None:
        items = self._plan.items
        if not items:
            self._index, self._last_id = -1, None
            return None
        self._index = (self._index + 1) % len(items)
        item = items[self._index]
        self._last_id = item.id
        return item

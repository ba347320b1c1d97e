"""Loop order with weights (share of voice), and the rotation that walks it."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from content_cache import ItemData


def interleave(weights: Sequence[int]) -> list[int]:
    """Indices in loop order: index ``j`` appears ``weights[j]`` times, evenly spread.

    Item ``j`` of ``n`` first comes at ``(j + 0.5) / n`` of the first ``1 / weight`` of the
    loop, then every ``1 / weight`` after that. Equal weights keep the playlist order; a
    weight-2 item comes back half a loop later. Keys are exact integers (no float ties
    that could differ between devices); a tie goes to the lighter item, then the earlier.
    """
    n = len(weights)
    if not n or max(weights) == 1:
        return list(range(n))
    # One pass per distinct weight (there are few) is cheaper than a dict append per item.
    groups = {w: [j for j, x in enumerate(weights) if x == w] for w in set(weights)}
    # Copy k of item j sits at (2(kn + j) + 1) / (2nw) of the loop. Scaled by the weights'
    # common multiple that is an integer; packed with the tie-breakers (weight, then j)
    # into ONE int, linear in j within a (weight, copy) group: sorting plain ints built
    # by one multiply-add each is what keeps a 10,000-item weighted loop fast.
    common = math.lcm(*groups)
    span = max(groups) + 1
    slots: list[int] = []
    for w, js in groups.items():
        step = common // w
        a = 2 * step * span * n + 1
        for k in range(w):
            b = ((step + 2 * k * n * step) * span + w) * n
            slots.extend([j * a + b for j in js])
    slots.sort()
    return list(map(n.__rmod__, slots))  # s % n == j


class HasItems(Protocol):
    @property
    def items(self) -> tuple[ItemData, ...]: ...


class Rotation:
    """Cycles through the items of a plan; a new plan continues after the item on screen.

    Items may repeat in a plan (weights), so the position is tracked, not just the id.
    """

    def __init__(self) -> None:
        from .schedule import PlayPlan  # the legacy empty plan; avoids an import cycle

        self._plan: HasItems = PlayPlan((), None, None)
        self._index = -1
        self._last_id: str | None = None

    @property
    def plan(self):  # noqa: ANN201 - whatever plan was set (PlayPlan or NowPlaying)
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

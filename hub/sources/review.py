"""Holding a source's new items for review during an election reserve period.

A source with ``hold_for_review = true`` publishes, during a reserve period (the site's
``neutrality`` elections, docs/content-api.md), only the items it had before the period
started and those released by id (``kiosk publish --release ID``). Every other new item
is held: left out of the manifest and listed by ``kiosk publish`` until someone who checked
it releases it. Alerts are never held: safety information is not communication.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .base import JSON, Context, SourceResult, SourceSpec
from .state import ReviewList


@dataclass(frozen=True)
class Held:
    source_id: str
    item_id: str
    title: str
    first_seen: datetime

    def describe(self) -> str:
        return (f'held for review: source "{self.source_id}" item {self.item_id} «{self.title}» '
                f"(new since {self.first_seen.date().isoformat()}); publish it with --release {self.item_id}")


def period_start(neutrality: Any, ctx: Context) -> datetime | None:
    """The start of the reserve period in force at ``ctx.now`` (the earliest if several)."""
    if not neutrality:
        return None
    from player.neutrality import parse_neutrality

    starts = []
    for election in parse_neutrality(neutrality).elections:
        start, end = election.bounds(ctx.tz)
        if start <= ctx.now < end:
            starts.append(start)
    return min(starts) if starts else None


def _title(doc: Mapping[str, Any]) -> str:
    for key in ("title", "name", "caption"):
        value = doc.get(key)
        if isinstance(value, Mapping) and value:
            return str(next(iter(value.values())))[:80]
    return ""


def hold_for_review(spec: SourceSpec, result: SourceResult, review: ReviewList, ctx: Context,
                    neutrality: Any) -> tuple[SourceResult, list[Held]]:
    start = period_start(neutrality, ctx)
    held: dict[str, Held] = {}

    def keep(doc: JSON) -> bool:
        item_id = str(doc.get("id"))
        first = review.seen(item_id, ctx.now)
        if start is None or first < start or item_id in review.released:
            return True
        if doc.get("category") == "alert":
            return True
        held.setdefault(item_id, Held(spec.id, item_id, _title(doc), first))
        return False

    documents = {s: tuple(d for d in docs if keep(d)) for s, docs in result.documents.items()}
    bulletins = tuple(b for b in result.bulletins if keep(b))
    items = tuple((p, i) for p, i in result.items if keep(i))
    if not held:
        return result, []
    return SourceResult(documents, bulletins, items, result.media, result.warnings), list(held.values())

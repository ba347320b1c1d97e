"""The audit trail, exported: who changed what and when (the readable diff), who approved
it, who published which version and what each version contained — the hub's side of the
evidence for an election reserve period (``kiosk hub audit``; the devices' side is
``kiosk report neutrality``: what each screen withheld and showed).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import ContentChange, Publication

COLUMNS = {
    "fr": ("date", "qui", "événement", "type", "identifiant", "titre", "état", "décidé par", "décidé le",
           "période de réserve", "verdict de neutralité", "détail", "version"),
    "en": ("when", "who", "event", "kind", "id", "title", "status", "decided by", "decided at",
           "reserve period", "neutrality verdict", "detail", "version"),
}
WORDS = {
    "fr": {"change": "modification", "publication": "publication", "content": "contenu publié",
           "yes": "oui", "no": "non", "applied": "appliquée", "pending": "en attente", "rejected": "refusée",
           "create": "création", "update": "modification", "delete": "suppression", "end-alert": "fin d'alerte",
           "new": "nouvelle version", "same": "version inchangée"},
    "en": {"change": "change", "publication": "publication", "content": "published content",
           "yes": "yes", "no": "no", "applied": "applied", "pending": "pending", "rejected": "rejected",
           "create": "create", "update": "update", "delete": "delete", "end-alert": "end of alert",
           "new": "new version", "same": "unchanged version"},
}


def _bounds(start: date | None, end: date | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    a = datetime.combine(start, time(), tz) if start else None
    b = datetime.combine(end + timedelta(days=1), time(), tz) if end else None
    return a, b


def trail(s: Session, start: date | None, end: date | None, tz: ZoneInfo) -> tuple[list[ContentChange], list[Publication]]:
    """Changes and publications from ``start`` to ``end`` (local days, both included)."""
    a, b = _bounds(start, end, tz)
    cq = select(ContentChange).order_by(ContentChange.at, ContentChange.id)
    pq = select(Publication).order_by(Publication.at, Publication.id)
    if a is not None:
        cq, pq = cq.where(ContentChange.at >= a), pq.where(Publication.at >= a)
    if b is not None:
        cq, pq = cq.where(ContentChange.at < b), pq.where(Publication.at < b)
    return list(s.scalars(cq)), list(s.scalars(pq))


def _stamp(t: datetime | None, tz: ZoneInfo) -> str:
    return t.astimezone(tz).isoformat(timespec="seconds") if t else ""


def rows(changes: Sequence[ContentChange], publications: Sequence[Publication], tz: ZoneInfo,
         lang: str = "fr") -> list[list[str]]:
    """The trail in time order: changes, publications, and under each publication what its
    version contained (one row per item, bulletin and page)."""
    w = WORDS.get(lang, WORDS["en"])
    events: list[tuple[datetime, int, list[list[str]]]] = []
    for c in changes:
        events.append((c.at, 0, [[
            _stamp(c.at, tz), c.username, f"{w['change']}: {w.get(c.action, c.action)}", c.kind, c.item_id,
            c.title, w.get(c.status, c.status), c.decided_by or "", _stamp(c.decided_at, tz),
            w["yes"] if c.in_reserve else w["no"], c.verdict, c.diff, ""]]))
    for p in publications:
        head = [_stamp(p.at, tz), p.username, w["publication"], "", "", "", w["new"] if p.changed else w["same"], "",
                "", w["yes"] if p.in_reserve else w["no"], "", "\n".join(str(x) for x in p.warnings[:50]), p.version]
        body = [[_stamp(p.at, tz), "", w["content"], str(i.get("kind") or ""), str(i.get("id") or ""),
                 str(i.get("title") or ""), "", "", "", "", "", _window(i), p.version] for i in p.contents]
        events.append((p.at, 1, [head, *body]))
    out: list[list[str]] = []
    for _at, _order, block in sorted(events, key=lambda e: (e[0], e[1])):
        out.extend(block)
    return out


def _window(item: dict[str, Any]) -> str:
    parts = []
    if item.get("playlist"):
        parts.append(f"playlist {item['playlist']}")
    if item.get("tags"):
        parts.append("tags " + ", ".join(item["tags"]))
    if item.get("valid_from") or item.get("valid_until"):
        parts.append(f"{item.get('valid_from') or '…'} → {item.get('valid_until') or '…'}")
    if item.get("url"):
        parts.append(str(item["url"]))
    return "; ".join(parts)


def to_csv(table: Iterable[Sequence[str]], lang: str = "fr") -> str:
    """CSV as spreadsheet software in the language opens it (``;`` in French), with a BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow(COLUMNS.get(lang, COLUMNS["en"]))
    writer.writerows(table)
    return "\ufeff" + buf.getvalue()


def to_json(changes: Sequence[ContentChange], publications: Sequence[Publication], tz: ZoneInfo) -> str:
    doc = {
        "timezone": str(tz),
        "changes": [{"at": _stamp(c.at, tz), "user": c.username, "action": c.action, "kind": c.kind, "id": c.item_id,
                     "file": c.file, "title": c.title, "status": c.status, "decided_by": c.decided_by,
                     "decided_at": _stamp(c.decided_at, tz), "in_reserve": c.in_reserve, "verdict": c.verdict,
                     "diff": c.diff, "file_diff": c.file_diff} for c in changes],
        "publications": [{"at": _stamp(p.at, tz), "user": p.username, "version": p.version, "changed": p.changed,
                          "in_reserve": p.in_reserve, "contents": p.contents, "warnings": p.warnings}
                         for p in publications],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

"""Saving a document: straight into the content folder, or — in an election reserve
period, for an editor — as a change waiting for a publisher's approval. Every change is
a row of the audit trail (:class:`hub.db.models.ContentChange`) with a readable diff.

A hand edit made while a form was open is never overwritten: the form carries the
document's digest as it was read, and a different digest at save (or at approval) is a
:class:`Conflict` carrying the document as it is now, so the page can show both.
"""
from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import ContentChange

from .folder import ContentFolder, DocRef, Document
from .values import digest, from_json, plain, to_json

log = logging.getLogger(__name__)

APPLIED, PENDING, REJECTED = "applied", "pending", "rejected"


class Conflict(Exception):
    """The document changed since the form read it; ``current`` is it now (None: gone)."""

    def __init__(self, current: Document | None) -> None:
        super().__init__("the document changed since the form was opened")
        self.current = current


@dataclass(frozen=True)
class Edit:
    """One document to write (``values`` None: delete it)."""

    kind: str
    ref: DocRef
    action: str  # create | update | delete | end-alert
    values: Mapping[str, Any] | None
    keys: tuple[str, ...]
    base_digest: str  # the document's digest when the form read it ("absent": new)
    title: str = ""
    media: Sequence[tuple[str, Path]] = field(default_factory=tuple)  # (media/… name, file waiting)


def readable_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
                  keys: Sequence[str] | None = None) -> str:
    """One line per field that changed: ``caption.fr: « old » → « new »``."""
    b, a = _flat(plain(before) or {}), _flat(plain(after) or {})
    if after is None:
        return "(deleted)"
    names = sorted(set(b) | set(a))
    if keys is not None:
        names = [n for n in names if n.split(".")[0].split("[")[0] in keys]
    lines = []
    for name in names:
        old, new = b.get(name), a.get(name)
        if old != new:
            lines.append(f"{name}: {_show(old)} → {_show(new)}")
    return "\n".join(lines)


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, Mapping):
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for i, v in enumerate(value):
            out.update(_flat(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    text = str(value)
    return f"« {text[:200]}{'…' if len(text) > 200 else ''} »" if isinstance(value, str) else text


def _merged(current: Mapping[str, Any] | None, values: Mapping[str, Any] | None,
            keys: Sequence[str]) -> dict[str, Any] | None:
    """The document as it will be: ``current`` with ``keys`` set from ``values``."""
    if values is None:
        return None
    out = dict(plain(current) or {})
    for k in keys:
        v = values.get(k)
        if v is None or v == "" or v == [] or v == {}:
            out.pop(k, None)
        else:
            out[k] = v
    return out


class Changes:
    """Saves, approvals and rejections on one content folder, recorded in ``session``."""

    def __init__(self, folder: ContentFolder, pending_dir: Path) -> None:
        self.folder = folder
        self.pending_dir = pending_dir

    def save(self, s: Session, edit: Edit, user: str, now: datetime, *, hold: bool, in_reserve: bool,
             verdict: str = "", force: bool = False) -> ContentChange:
        """Write ``edit`` (or, when ``hold``, keep it waiting for approval). Raises
        Conflict when the document is not as the form read it (``force``: write anyway,
        after the person saw both)."""
        current = self.folder.find(edit.ref)
        now_digest = current.digest if current is not None else "absent"
        if now_digest != edit.base_digest and not force:
            raise Conflict(current)
        after = _merged(current.values if current else None, edit.values, edit.keys)
        row = ContentChange(
            at=now, username=user, action=edit.action, kind=edit.kind, item_id=edit.ref.item_id,
            file=edit.ref.file, title=edit.title[:200], diff=readable_diff(current.values if current else None,
                                                                            after, edit.keys),
            file_diff="", values=None, media=[], base_digest=now_digest, status=APPLIED,
            in_reserve=in_reserve, verdict=verdict[:4000],
        )
        if hold:
            self.pending_dir.mkdir(parents=True, exist_ok=True)
            kept = []
            for name, path in edit.media:
                waiting = self.pending_dir / Path(name).name
                if not waiting.exists():
                    shutil.copyfile(path, waiting)
                kept.append(name)
            row.values = {"keys": list(edit.keys), "values": to_json(edit.values) if edit.values is not None else None,
                          "array": edit.ref.array, "table": edit.ref.table}
            row.media = kept
            row.status = PENDING
        else:
            for name, path in edit.media:
                if self.folder.read_bytes(name) is None:
                    self.folder.add_file(name, path.read_bytes())
            written = self.folder.write(edit.ref, edit.values, edit.keys)
            row.file_diff = written.unified_diff()[:200_000]
            if in_reserve:
                row.decided_by, row.decided_at = user, now
        s.add(row)
        s.flush()
        log.info("change %s by %s: %s %s %s (%s)", row.id, user, edit.action, edit.kind, edit.ref.item_id, row.status)
        return row

    def pending(self, s: Session) -> list[ContentChange]:
        return list(s.scalars(select(ContentChange).where(ContentChange.status == PENDING)
                              .order_by(ContentChange.at, ContentChange.id)))

    def edit_of(self, row: ContentChange) -> Edit:
        data = row.values or {}
        values = from_json(data.get("values")) if data.get("values") is not None else None
        media = [(name, self.pending_dir / Path(name).name) for name in row.media or ()]
        return Edit(row.kind, DocRef(row.file, data.get("array"), row.item_id, data.get("table")), row.action, values,
                    tuple(data.get("keys") or ()), row.base_digest, row.title, media)

    def current(self, row: ContentChange) -> Document | None:
        return self.folder.find(self.edit_of(row).ref)

    def approve(self, s: Session, row: ContentChange, publisher: str, now: datetime, *, force: bool = False) -> None:
        """Write a waiting change into the folder. Raises Conflict if its document changed
        since (``force``: the publisher saw both and writes it anyway)."""
        edit = self.edit_of(row)
        current = self.folder.find(edit.ref)
        if (current.digest if current else "absent") != row.base_digest and not force:
            raise Conflict(current)
        for name, path in edit.media:
            if self.folder.read_bytes(name) is None:
                self.folder.add_file(name, path.read_bytes())
        written = self.folder.write(edit.ref, edit.values, edit.keys)
        row.file_diff = written.unified_diff()[:200_000]
        row.status, row.decided_by, row.decided_at = APPLIED, publisher, now
        log.info("change %s approved by %s", row.id, publisher)

    def reject(self, row: ContentChange, publisher: str, now: datetime) -> None:
        row.status, row.decided_by, row.decided_at = REJECTED, publisher, now
        log.info("change %s rejected by %s", row.id, publisher)

    def preview_edits(self, s: Session) -> list[Edit]:
        """The waiting changes, oldest first (a stage applies them to show the folder as
        it would be once approved)."""
        return [self.edit_of(r) for r in self.pending(s)]


def document_digest(doc: Document | None) -> str:
    return doc.digest if doc is not None else digest(None)

"""The publisher's own checks run on what the folder would be, said beside the field.

:func:`check_stage` runs :func:`hub.publisher.check_source` on a stage (hub.editor.stage):
every problem of the folder (each file, the manifest's schema and rules, what every device
runs) and its warnings (a bulletin in no loop, an alert without an end, an item that never
plays, the election-period section), as values naming the file, the item by its id and
the field as written (:class:`hub.source_notes.SourceNote`). Two more traps are said for the
document being edited: a full-screen critical alert, and a poster or video with no end.
Media are not decoded here: an upload is, before it reaches a stage (hub.editor.uploads).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..content_warnings import instant, is_alert
from .folder import DocRef
from .text import N_, Message

ERROR, WARNING = "error", "warning"
_FIRST = re.compile(r"^[^.\[]+")


@dataclass(frozen=True)
class Note:
    severity: str  # error | warning
    line: str  # the whole line, as the publisher words it (file: item: field: what)
    field: str | None = None  # the edited document's field it is about ("*": the document)
    message: Message | None = None  # ours, translatable
    text: str = ""  # the publisher's words without the file and item (beside a field)

    @property
    def mine(self) -> bool:
        return self.field is not None


def _edited(doc: Mapping[str, Any], ref: DocRef) -> Mapping[str, Any] | None:
    """The edited document as the manifest will hold it."""
    folder = ref.file.split("/", 1)[0]
    if folder == "playlists":
        playlist = next((p for p in doc.get("playlists", ()) if p.get("id") == Path(ref.file).stem), None)
        return next((i for i in (playlist or {}).get("items", ()) if i.get("id") == ref.item_id), None)
    if folder == "bulletins":
        return next((b for b in doc.get("bulletins", ()) if b.get("id") == ref.item_id), None)
    return None


def own_warnings(doc: Mapping[str, Any], ref: DocRef, now: datetime) -> list[Note]:
    """The traps the publisher lets through, said for the edited document only."""
    d = _edited(doc, ref)
    if d is None:
        return []
    out = []
    end = instant(d.get("valid_until"))
    if is_alert(d) and d.get("severity") == "critical" and d.get("alert", "fullscreen") == "fullscreen" \
            and (end is None or end > now):
        out.append(Note(WARNING, "", "alert", Message(N_(
            "a full-screen critical alert replaces everything on every screen while it lasts; "
            "keep it for real emergencies, or show it as a banner"))))
    if d.get("type") in ("image", "video") and d.get("valid_until") is None:
        out.append(Note(WARNING, "", "valid_until", Message(N_(
            "no end: it shows until someone removes it; give it an end if it is about a date"))))
    return out


def check_stage(stage: Path, ref: DocRef | None, now: datetime) -> list[Note]:
    """Every problem (errors) and warning of the staged folder; those about ``ref`` carry
    the field they are about ("*": the document as a whole)."""
    from hub.publisher import PublishError, check_source

    now = now.astimezone(UTC)
    try:
        check = check_source(stage, now, decode_media=False)
    except PublishError as e:
        return [Note(ERROR, line) for line in e.problems]
    notes = []
    for severity, found in ((ERROR, check.problems), (WARNING, check.warnings)):
        for n in found:
            field = None
            if ref is not None and n.file == ref.file and (ref.array is None or n.item == ref.item_id):
                m = _FIRST.match(n.field or "")
                field = m.group(0) if m else "*"
            notes.append(Note(severity, str(n).replace(f"{stage}/", ""), field, text=n.message))
    if ref is not None:
        notes += own_warnings(check.document, ref, now)
    return notes

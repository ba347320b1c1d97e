"""The publisher's own checks run on what the folder would be, said beside the field.

:func:`check_stage` reads a stage (hub.editor.stage) with the publisher
(:func:`hub.publisher.build_document`), turns OpenStreetMap ``opening_hours`` into hours as
publishing does, validates the manifest it would make (:func:`sync.validate_document`, what
every device runs) and adds the warnings of valid content that would do harm (a bulletin in
no playlist, an alert or item without an end, an item that never plays, a full-screen
critical alert). Each line is kept as the publisher words it; a line about the document
being edited is put beside its field.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .folder import DocRef
from .text import N_, Message

ERROR, WARNING = "error", "warning"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PATH_RE = re.compile(r"^((?:[a-z_]+/)?[A-Za-z0-9_.-]*\.toml: )?([A-Za-z_]+(?:\[\d+\])?(?:\.[A-Za-z_]+(?:\[\d+\])?)*)"
                      r"(?:\.([A-Za-z_]+))?")


@dataclass(frozen=True)
class Note:
    severity: str  # error | warning
    line: str  # as the publisher (or the check) words it, in English
    field: str | None = None  # the edited document's field, when it is about it
    message: Message | None = None  # ours, translatable

    @property
    def mine(self) -> bool:
        return self.field is not None


def _prefix(stage: Path, ref: DocRef) -> tuple[str | None, str | None]:
    """The edited document's path in the manifest (``playlists[1].items[3]``) and in its
    file (``items[3]``), as the publisher numbers them."""
    import tomllib

    def index_in(rel: str) -> int | None:
        try:
            data = tomllib.loads((stage / rel).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if ref.array is None:
            return None
        for i, t in enumerate(data.get(ref.array) or ()):
            if isinstance(t, Mapping) and t.get("id") == ref.item_id:
                return i
        return None

    folder = ref.file.split("/", 1)[0]
    files = sorted(p.name for p in (stage / folder).glob("*.toml")) if folder != "site.toml" else []
    i = index_in(ref.file)
    local = f"{ref.array}[{i}]" if i is not None else None
    if folder == "playlists" and i is not None:
        return f"playlists[{files.index(Path(ref.file).name)}].items[{i}]", local
    if folder in ("bulletins", "kiosk") and i is not None:
        before = 0
        for name in files:
            if name == Path(ref.file).name:
                break
            try:
                data = tomllib.loads((stage / folder / name).read_text("utf-8"))
            except (OSError, ValueError):
                continue
            before += len(data.get(ref.array or "") or ())
        top = "bulletins" if folder == "bulletins" else f"kiosk.{ref.array}"
        return f"{top}[{before + i}]", local
    return None, local


def _field_of(line: str, ref: DocRef | None, manifest_prefix: str | None, local_prefix: str | None) -> str | None:
    if ref is None:
        return None
    text = line
    if text.startswith(f"{ref.file}: "):
        rest = text[len(ref.file) + 2:]
        if local_prefix and rest.startswith(local_prefix):
            after = rest[len(local_prefix):]
            return after[1:].split(":")[0].split(".")[0].split("[")[0] if after.startswith(".") else "*"
        if ref.array is None:
            return rest.split(":")[0].split(".")[0].split("[")[0] or "*"
        return None
    for prefix in (manifest_prefix,):
        if prefix and (f": {prefix}." in text or text.startswith(f"{prefix}.") or f": {prefix}:" in text):
            after = text.split(prefix, 1)[1]
            return after[1:].split(":")[0].split(".")[0].split("[")[0] if after.startswith(".") else "*"
    return None


def check_stage(stage: Path, ref: DocRef | None, now: datetime) -> list[Note]:
    """Every problem (errors) and warning of the staged folder; those about ``ref`` carry
    the field they are about ("*": the document as a whole)."""
    from hub.publisher import PublishError, build_document
    from sync import ManifestError, validate_document

    manifest_prefix, local_prefix = _prefix(stage, ref) if ref is not None else (None, None)
    notes: list[Note] = []

    def add(severity: str, line: str, message: Message | None = None, field: str | None = None) -> None:
        notes.append(Note(severity, line, field or _field_of(line, ref, manifest_prefix, local_prefix), message))

    try:
        doc, _files = build_document(stage)
    except PublishError as e:
        for line in e.problems:
            add(ERROR, _local(line, stage))
        return notes
    tz = _zone(doc)
    for line in _expand_opening_hours(doc, tz, now):
        add(ERROR, line)
    stamped = {"version": "c0", "published_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"), **doc}
    try:
        validate_document(stamped, source="content")
    except ManifestError as e:
        for line in e.problems:
            add(ERROR, line.removeprefix("content: "))
    for path, message in harmful(doc, now):
        add(WARNING, f"{path}: {message.english()}", message)
    return notes


def _local(line: str, stage: Path) -> str:
    return line.replace(f"{stage}/", "").replace(str(stage), "")


def _zone(doc: Mapping[str, Any]) -> ZoneInfo:
    try:
        return ZoneInfo(str(doc.get("site", {}).get("timezone", "Europe/Paris")))
    except (ValueError, KeyError):
        return ZoneInfo("Europe/Paris")


def _expand_opening_hours(doc: dict[str, Any], tz: ZoneInfo, now: datetime) -> list[str]:
    from hub.sources.hours import OpeningHoursError, expand

    problems = []
    for section, docs in (doc.get("kiosk") or {}).items():
        for i, d in enumerate(docs if isinstance(docs, list) else ()):
            if isinstance(d, dict) and isinstance(d.get("opening_hours"), str):
                try:
                    d["hours"], _w = expand(d.pop("opening_hours"), tz=tz, today=now.astimezone(tz).date())
                except OpeningHoursError as e:
                    problems.append(f"kiosk.{section}[{i}].opening_hours: {e}")
    return problems


# -- warnings: valid content that does harm ------------------------------------------------
def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def is_alert(b: Mapping[str, Any]) -> bool:
    return b.get("severity") == "critical" or b.get("alert") is not None


def harmful(doc: Mapping[str, Any], now: datetime) -> list[tuple[str, Message]]:
    """(manifest path, why) for what publishing would let through but should not go
    unsaid. The same traps ``kiosk publish`` warns about."""
    out: list[tuple[str, Message]] = []
    tz = _zone(doc)
    named = {item.get("bulletin") for p in doc.get("playlists", ()) for item in p.get("items", ())}
    for j, b in enumerate(doc.get("bulletins", ())):
        end = _instant(b.get("valid_until"))
        if is_alert(b):
            if end is None:
                out.append((f"bulletins[{j}].valid_until", Message(N_(
                    "an alert without an end stays over every screen until someone withdraws it; give it an end"))))
            if b.get("severity") == "critical" and b.get("alert", "fullscreen") == "fullscreen" and (end is None or end > now):
                out.append((f"bulletins[{j}].alert", Message(N_(
                    "a full-screen critical alert replaces everything on every screen while it lasts; "
                    "keep it for real emergencies, or show it as a banner"))))
        elif b.get("id") not in named:
            out.append((f"bulletins[{j}]", Message(N_(
                "this bulletin is in no loop: no screen shows it (only a ticker strip, where a screen has one); "
                "tick a loop"))))
        if end is not None and end <= now:
            out.append((f"bulletins[{j}].valid_until", Message(N_("its end is past: no screen shows it any more"))))
    for p_i, p in enumerate(doc.get("playlists", ())):
        for i_i, item in enumerate(p.get("items", ())):
            for path, message in _never_plays(item, now, tz):
                out.append((f"playlists[{p_i}].items[{i_i}]{path}", message))
            if item.get("type") in ("image", "video") and item.get("valid_until") is None:
                out.append((f"playlists[{p_i}].items[{i_i}].valid_until", Message(N_(
                    "no end: it shows until someone removes it; give it an end if it is about a date"))))
    return out


def _never_plays(item: Mapping[str, Any], now: datetime, tz: ZoneInfo) -> list[tuple[str, Message]]:
    start, end = _instant(item.get("valid_from")), _instant(item.get("valid_until"))
    if end is not None and end <= now:
        return [(".valid_until", Message(N_("its end is past: it will not show again")))]
    if start is not None and end is not None and end <= start:
        return []  # the schema's rules say it
    weekdays = item.get("weekdays")
    if not weekdays or end is None:
        return []
    first = max(start, now) if start is not None else now
    if end - first >= timedelta(days=7):
        return []
    skipped = set(item.get("skip_dates") or ())
    day, last = first.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    while day <= last:
        if WEEKDAYS[day.weekday()] in weekdays and day.isoformat() not in skipped:
            return []
        day += timedelta(days=1)
    return [(".weekdays", Message(N_("none of its days of the week falls between its start and its end: "
                                     "it never shows")))]

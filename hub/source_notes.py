"""Problems and warnings about a content folder, said where its author will look.

A :class:`SourceNote` names the file, the item (playlist item, bulletin or kiosk page, by
its id), the field as the author wrote it, and what is wrong, with dates in the site's
time zone::

    playlists/hall.toml: item "poster-pool": valid_until: 2027-03-26T12:00 (Europe/Paris) is not after valid_from 2027-03-27T00:00 (Europe/Paris)

rather than the manifest's ``playlists[0].items[14].valid_until`` in UTC. The notes are
values (the CLI prints them; an editor in a browser can put each beside its field).
:class:`Locator` turns the manifest paths of the schema's and the sync's checks back into
the places of the source folder they came from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class SourceNote:
    """One problem (``error``: nothing is published) or warning (published anyway)."""

    file: str  # relative to the source folder: "playlists/hall.toml", "media/affiche.jpg"
    message: str
    item: str | None = None  # the id of the item, bulletin or page ("poster-pool")
    kind: str = "item"  # what ``item`` is: "item", "bulletin", or a kiosk section ("services")
    field: str | None = None  # as written in the source: "valid_until", "hours.weekly.mon[0]"
    severity: str = ERROR

    @classmethod
    def from_line(cls, line: str, severity: str = ERROR) -> SourceNote:
        """A note from a line of another checker (``site.toml: neutrality.policy…: what``,
        or a line naming no file, kept whole)."""
        head, sep, rest = line.partition(": ")
        if not sep or not (head.endswith(".toml") or "/" in head):
            return cls("", line, severity=severity)
        m = _PATH_RE.match(rest)
        if m and not m.group(1).startswith(("item", "bulletin")) and m.group(1) != rest:
            return cls(head, m.group(2), field=m.group(1), severity=severity)
        return cls(head, rest, severity=severity)

    def __str__(self) -> str:
        parts = [self.file] if self.file else []
        if self.item is not None:
            parts.append(f'{self.kind} "{self.item}"' if not self.item.startswith("#") else f"{self.kind} {self.item}")
        if self.field:
            parts.append(self.field)
        return ": ".join([*parts, self.message])


@dataclass(frozen=True)
class Place:
    """Where a part of the manifest comes from."""

    file: str
    item: str | None = None
    kind: str = "item"
    # field names of the manifest that the source spells otherwise (an item's "media" is its "file")
    renames: tuple[tuple[str, str], ...] = ()


_PATH_RE = re.compile(r"^([^:\s]+(?:\[\d+\])*(?:\.[^:\s]+)*): (.*)$")
_PART_RE = re.compile(r"[^.\[\]]+|\[\d+\]")
# An instant as the manifest writes it (UTC, or another offset)
_INSTANT_RE = re.compile(r"\b(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))")


def local_time(value: str, zone: tzinfo, zone_name: str) -> str:
    """``2027-03-26T11:00:00Z`` → ``2027-03-26T12:00 (Europe/Paris)`` (seconds when not zero)."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(zone)
    except ValueError:
        return value
    seconds = f":{when.second:02d}" if when.second else ""
    return f"{when:%Y-%m-%dT%H:%M}{seconds} ({zone_name})"


class Locator:
    """Manifest paths (``playlists[0].items[14]``) → places in the source folder."""

    def __init__(self, zone: tzinfo, zone_name: str) -> None:
        self.places: dict[tuple[str, ...], Place] = {}
        self.zone = zone
        self.zone_name = zone_name

    def add(self, path: str, place: Place) -> None:
        self.places[tuple(_PART_RE.findall(path))] = place

    def note(self, line: str, severity: str = ERROR) -> SourceNote:
        """A manifest problem line (``path: message``) as a note on the source."""
        m = _PATH_RE.match(line)
        path, message = (m.group(1), m.group(2)) if m else ("", line)
        parts = tuple(_PART_RE.findall(path)) if path != "(document)" else ()
        for cut in range(len(parts), -1, -1):
            place = self.places.get(parts[:cut])
            if place is not None:
                break
        else:
            place, cut = Place("site.toml"), 0
        rest = _join(parts[cut:])
        for manifest_name, source_name in place.renames:
            if rest == manifest_name or rest.startswith((manifest_name + ".", manifest_name + "[")):
                rest = source_name + rest[len(manifest_name):]
            message = message.replace(f"'{manifest_name}'", f"'{source_name}'")
        return SourceNote(place.file, self.local(message), place.item, place.kind, rest or None, severity)

    def local(self, text: str) -> str:
        """Instants in ``text`` said in the site's time zone."""
        return _INSTANT_RE.sub(lambda m: local_time(m.group(1), self.zone, self.zone_name), text)


def _join(parts: tuple[str, ...]) -> str:
    out = ""
    for p in parts:
        out += p if p.startswith("[") or not out else f".{p}"
    return out

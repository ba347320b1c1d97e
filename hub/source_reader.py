"""Reading a content folder into a manifest document, noting each problem where it is.

The reader goes through every file even after a problem (a missing picture does not hide
a typo three files further), converts TOML values to the manifest's JSON (local
date-times read in the site's time zone), lists the media files, and remembers where each
part of the document came from (:class:`hub.source_notes.Locator`), so the checks run on
the document afterwards can name the file and the item.

TOML 1.1 (date-times and times without seconds, ``start = 2026-12-16T15:00``) is read
where the parser knows it (tomli 2.4 or later, in the ``hub`` extra; Python 3.15's
tomllib); with Python 3.11's tomllib alone, the string form (``start =
"2026-12-16T15:00"``) is read the same way in every date-time field.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from content_cache import DEFAULT_TIMEZONE, SHA256_RE
from sync.manifest import did_you_mean

from .source_notes import ERROR, WARNING, Locator, Place, SourceNote

MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
# Leading bytes each type must start with, so a renamed file is caught at publish time.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "video/webm": (b"\x1a\x45\xdf\xa3",),
}
KIOSK_SECTIONS = ("services", "menus", "procedures", "events", "news", "places", "numbers")
# what a problem calls one document of a section: `kiosk/places.toml: place "halle": …`
_ONE_OF = {"services": "service", "menus": "menu", "procedures": "procedure", "events": "event",
           "news": "news item", "places": "place", "numbers": "number"}
# Fields holding an instant: a local date-time there (TOML's, or a string) is read in the site's zone
DATETIME_FIELDS = frozenset({"valid_from", "valid_until", "start", "end"})
_LOCAL_DATETIME_RE = re.compile(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)$")


# An image or video item's files in the source, and the manifest field each becomes.
ITEM_FILES = {"file": "media", "file_portrait": "media_portrait", "file_landscape": "media_landscape"}


def _toml_loads(text: str) -> dict[str, Any]:
    try:
        import tomli  # TOML 1.1 from 2.4 on: seconds optional

        return tomli.loads(text)
    except ImportError:
        import tomllib

        return tomllib.loads(text)


def _toml_error() -> tuple[type[Exception], ...]:
    import tomllib

    try:
        import tomli

        return (tomllib.TOMLDecodeError, tomli.TOMLDecodeError)
    except ImportError:
        return (tomllib.TOMLDecodeError,)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class MediaUse:
    """A media file and the first place that names it (where a warning about it goes)."""

    path: Path
    mime: str
    written: str  # as the source names it: "media/affiche.jpg"
    place: Place
    field: str
    uses: int = 1


@dataclass
class SourceReader:
    src: Path
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    zone_name: str = DEFAULT_TIMEZONE
    errors: list[SourceNote] = field(default_factory=list)
    warnings: list[SourceNote] = field(default_factory=list)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    media_uses: dict[str, MediaUse] = field(default_factory=dict)
    broken_files: set[str] = field(default_factory=set)
    # manifest paths of fields whose problem the reader has said already (a missing file:
    # the schema would add "missing required field 'media'")
    said: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.src = self.src.resolve()
        self.locator = Locator(self.tz, self.zone_name)

    # -- files ------------------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.src))

    def note(self, place: Place, fld: str | None, message: str, severity: str = ERROR) -> None:
        n = SourceNote(place.file, message, place.item, place.kind, fld, severity)
        (self.errors if severity == ERROR else self.warnings).append(n)

    def load(self, path: Path) -> dict[str, Any]:
        rel = self.rel(path)
        try:
            return _toml_loads(path.read_text("utf-8"))
        except _toml_error() as e:
            hint = ""
            bare_time = re.search(r"=\s*(?:\d{4}-\d\d-\d\d[T ])?\d\d:\d\d(?![:\d])",
                                  path.read_text("utf-8", errors="replace"))
            if bare_time and not type(e).__module__.startswith("tomli"):
                hint = ('; a date-time or time without seconds needs quotes here (start = "2026-12-16T15:00") '
                        "or the hub extra (pip install 'town-kiosk[hub]')")
            self.note(Place(rel), None, f"{e}{hint}")
        except UnicodeDecodeError as e:
            self.note(Place(rel), None, f"not UTF-8 text ({e.reason} at byte {e.start})")
        except OSError as e:
            self.note(Place(rel), None, e.strerror or str(e))
        self.broken_files.add(rel)
        return {}

    # -- values -----------------------------------------------------------------------------
    def jsonable(self, value: Any, place: Place, fld: str = "") -> Any:
        """TOML values → JSON values; local date-times are read in the site's time zone."""
        key = fld.rsplit(".", 1)[-1]
        if isinstance(value, dict):
            return {k: self.jsonable(v, place, f"{fld}.{k}" if fld else k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.jsonable(v, place, f"{fld}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, str) and key in DATETIME_FIELDS:
            m = _LOCAL_DATETIME_RE.match(value.strip())
            if m:  # the string form of a local date-time (TOML 1.0 wants seconds in a bare one)
                value = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}")
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = self.local_instant(value, place, fld)
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, time):
            return value.strftime("%H:%M")
        return value

    def local_instant(self, naive: datetime, place: Place, fld: str) -> datetime:
        """``naive`` in the site's zone; a time the clocks skip or show twice is said."""
        first = naive.replace(tzinfo=self.tz, fold=0)
        second = naive.replace(tzinfo=self.tz, fold=1)
        shown = f"{naive:%Y-%m-%dT%H:%M}"
        if first.astimezone(UTC).astimezone(self.tz).replace(tzinfo=None) != naive:
            read = first.astimezone(UTC).astimezone(self.tz)
            self.note(place, fld, f"{shown} does not exist in {self.zone_name} (the clocks go forward): "
                                  f"read as {read:%H:%M}", WARNING)
        elif first.utcoffset() != second.utcoffset():
            self.note(place, fld, f"{shown} happens twice in {self.zone_name} (the clocks go back): read as the "
                                  f"first, UTC{first:%z}; write it with its offset to choose", WARNING)
        return first

    # -- media ------------------------------------------------------------------------------
    def add_media(self, value: Any, place: Place, key: str, manifest_path: str,
                  kinds: tuple[str, ...] = ("image", "video")) -> str | None:
        """Check a local media file and list it; returns its sha256 (None after a problem)."""
        problem = None
        sha = None
        if not isinstance(value, str) or not value:
            problem = "expected a path under media/"
        else:
            path = (self.src / value).resolve()
            mime = MEDIA_TYPES.get(path.suffix.lower())
            if not path.is_relative_to(self.src):
                problem = f"{value!r} points outside the source folder"
            elif not path.is_file():
                problem = f"{value} not found"
            elif mime is None:
                problem = f"{value}: unsupported type (use {', '.join(sorted(MEDIA_TYPES))})"
            elif mime.split("/")[0] not in kinds:
                problem = f"{value} is a {mime.split('/')[0]}; this field takes {' or '.join(kinds)}"
            else:
                problem = self._content_problem(path, value, mime)
                if problem is None:
                    sha = _sha256_file(path)
                    self.media.setdefault(sha, {"sha256": sha, "size": path.stat().st_size, "type": mime,
                                                "name": path.name})
                    if sha in self.media_uses:
                        self.media_uses[sha].uses += 1
                    else:
                        self.media_uses[sha] = MediaUse(path, mime, value, place, key)
        if problem is not None:
            self.note(place, key, problem)
            self.said.add(manifest_path)
        return sha

    @staticmethod
    def _content_problem(path: Path, value: str, mime: str) -> str | None:
        with path.open("rb") as f:
            head = f.read(16)
        if not head:
            return f"{value} is empty"
        magic = _MAGIC.get(mime)
        ok = head[4:8] == b"ftyp" if mime == "video/mp4" else magic is None or head.startswith(magic)
        return None if ok else f"{value} is not a valid {mime} file"

    # -- the folder -------------------------------------------------------------------------
    def site(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """site.toml: ([site] table, whole file)."""
        site_file = self.src / "site.toml"
        if not site_file.is_file():
            self.note(Place("site.toml"), None, "missing (the site's name, time zone and languages)")
            self.broken_files.add("site.toml")
            return {}, {}
        data = self.load(site_file)
        for key in data:
            if key not in ("site", "neutrality"):
                self.note(Place("site.toml"), key, f"unknown key{did_you_mean(key, ['site', 'neutrality'])}")
        site = data.get("site")
        if not isinstance(site, dict):
            if "site.toml" not in self.broken_files:
                self.note(Place("site.toml"), None, "missing [site] table")
            return {}, data
        try:
            self.tz = ZoneInfo(str(site.get("timezone", DEFAULT_TIMEZONE)))
            self.zone_name = str(site.get("timezone", DEFAULT_TIMEZONE))
            self.locator = Locator(self.tz, self.zone_name)
        except Exception:
            self.note(Place("site.toml"), "site.timezone", f"unknown time zone {site.get('timezone')!r}")
            self.said.add("site.timezone")
        return site, data

    def playlists(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for path in sorted((self.src / "playlists").glob("*.toml")):
            rel = self.rel(path)
            data = self.load(path)
            if rel in self.broken_files:
                continue
            p = len(out)
            self.locator.add(f"playlists[{p}]", Place(rel, kind="playlist"))
            raw_items = data.get("items", [])
            items: list[Any] = []
            for i, raw in enumerate(raw_items if isinstance(raw_items, list) else []):
                if not isinstance(raw, dict):
                    self.note(Place(rel), f"items[{i}]", "expected an [[items]] table")
                    continue
                item_id = raw.get("id") if isinstance(raw.get("id"), str) else f"#{i + 1}"
                place = Place(rel, item_id, "item", renames=tuple((m, f) for f, m in ITEM_FILES.items()))
                at = f"playlists[{p}].items[{len(items)}]"
                self.locator.add(at, place)
                item = self.jsonable({k: v for k, v in raw.items() if k not in ITEM_FILES}, place)
                if raw.get("type") in ("image", "video"):
                    sha = self.add_media(raw.get("file"), place, "file", f"{at}.media", kinds=(raw["type"],))
                    if sha:
                        item["media"] = sha
                    for key, fld in ITEM_FILES.items():  # one file per orientation (optional)
                        if key != "file" and key in raw:
                            sha = self.add_media(raw[key], place, key, f"{at}.{fld}", kinds=(raw["type"],))
                            if sha:
                                item[fld] = sha
                elif any(k in raw for k in ITEM_FILES):
                    key = next(k for k in ITEM_FILES if k in raw)
                    self.note(place, key, "only image and video items take a file")
                items.append(item)
            playlist = self.jsonable({k: v for k, v in data.items() if k != "items"}, Place(rel, kind="playlist"))
            playlist.setdefault("id", path.stem)
            playlist["items"] = items
            out.append(playlist)
        if not out and not any(f.startswith("playlists/") for f in self.broken_files):
            self.note(Place("playlists/"), None, "no playlist: add playlists/<id>.toml with its [[items]]")
            self.said.add("playlists")
        return out

    def bulletins(self) -> list[Any]:
        out: list[Any] = []
        for path in sorted((self.src / "bulletins").glob("*.toml")):
            rel = self.rel(path)
            data = self.load(path)
            for key in data:
                if key != "bulletins":
                    self.note(Place(rel), key, f"unknown key{did_you_mean(key, ['bulletins'])} "
                                               "(a bulletins file holds [[bulletins]] tables)")
            raw = data.get("bulletins", [])
            for b in raw if isinstance(raw, list) else []:
                bid = b.get("id") if isinstance(b, dict) and isinstance(b.get("id"), str) else f"#{len(out) + 1}"
                place = Place(rel, bid, "bulletin")
                at = f"bulletins[{len(out)}]"
                self.locator.add(at, place)
                if not isinstance(b, dict) or "picture" not in b:
                    out.append(self.jsonable(b, place))
                    continue
                bulletin = self.jsonable({k: v for k, v in b.items() if k != "picture"}, place)
                sha = self.add_media(b["picture"], place, "picture", f"{at}.picture", kinds=("image",))
                if sha:  # a picture beside the bulletin's text (optional)
                    bulletin["picture"] = sha
                out.append(bulletin)
        return out

    def kiosk(self) -> dict[str, list[Any]]:
        kiosk: dict[str, list[Any]] = {}
        for path in sorted((self.src / "kiosk").glob("*.toml")):
            rel = self.rel(path)
            data = self.load(path)
            for section, docs in data.items():
                if not isinstance(docs, list):
                    self.note(Place(rel), section, f"expected [[{section}]] documents")
                    continue
                if section not in KIOSK_SECTIONS:
                    hint = did_you_mean(section, KIOSK_SECTIONS)
                    if hint:  # any name makes a free-form section: a typo would be one the kiosk never shows
                        self.note(Place(rel), f"[[{section}]]", f"not a section the kiosk shows{hint}", WARNING)
                target = kiosk.setdefault(section, [])
                for raw in docs:
                    k = len(target)
                    doc_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{k + 1}"
                    key = "file" if isinstance(raw, dict) and "file" in raw and "image" not in raw else "image"
                    place = Place(rel, doc_id, _ONE_OF.get(section, "document"), renames=(("image", key),))
                    self.locator.add(f"kiosk.{section}[{k}]", place)
                    target.append(self.kiosk_document(raw, place, f"kiosk.{section}[{k}]"))
        return kiosk

    def kiosk_document(self, raw: Any, place: Place, at: str) -> Any:
        """A kiosk document; its local ``image`` (or ``file``) becomes a media sha256."""
        if not isinstance(raw, dict):
            return self.jsonable(raw, place)
        doc = self.jsonable({k: v for k, v in raw.items() if k not in ("image", "file")}, place)
        if "image" in raw and "file" in raw:
            self.note(place, "file", 'give the page\'s image once (image = "media/…")')
            return doc
        key = "image" if "image" in raw else "file" if "file" in raw else None
        if key is not None:
            value = raw[key]
            if isinstance(value, str) and SHA256_RE.match(value):
                # The manifest's image is a hash; the source names the file it comes from.
                self.note(place, key, "name the file (media/…), not its hash")
                return doc
            sha = self.add_media(value, place, key, f"{at}.image", kinds=("image",))
            if sha:
                doc["image"] = sha
        return doc

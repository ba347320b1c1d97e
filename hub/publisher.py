"""`kiosk publish SRC DEST`: a human-editable content folder → the served API tree.

Source folder::

    site.toml               [site] id, timezone, languages, default_playlist, [site.name]
    playlists/*.toml        id, [name], fit, [layout], [[items]] (type, file | bulletin,
                            file_portrait, file_landscape, fit, focus, duration, ...)
    bulletins/*.toml        [[bulletins]] id, category, severity, [title], [body], valid_*,
                            link, picture
    kiosk/<section>.toml    [[<section>]] documents (services, menus, ...); a page's picture
                            is ``image = "media/…"`` (``file`` is accepted too)
    media/...               the image and video files that items name with ``file``

Served tree::

    DEST/v1/manifest.json   validated manifest (written last, atomically)
    DEST/v1/media/<sha256>  each media file under its content address

The version id is derived from the content, so publishing unchanged content leaves the
tree byte-for-byte unchanged (and its ETag with it).
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from content_cache.store import SHA256_RE
from sync import ManifestError, manifest_bytes, parse_manifest, validate_document

if TYPE_CHECKING:
    from hub.sources import SourcesRun

log = logging.getLogger(__name__)

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

# An image or video item's files in the source, and the manifest field each becomes.
_ITEM_FILES = {"file": "media", "file_portrait": "media_portrait", "file_landscape": "media_landscape"}


class PublishError(Exception):
    """The source folder has problems; ``problems`` holds one line each (file: key: what)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


@dataclass(frozen=True)
class PublishResult:
    version: str
    manifest_path: Path
    media_count: int
    media_bytes: int
    changed: bool
    # Problems that do not stop publishing (the neutrality section), one line each.
    warnings: tuple[str, ...] = ()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class _Builder:
    def __init__(self, src: Path) -> None:
        self.src = src.resolve()
        self.problems: list[str] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.media_files: dict[str, Path] = {}
        self.tz = ZoneInfo("Europe/Paris")

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.src))

    def load(self, path: Path) -> dict[str, Any]:
        try:
            with path.open("rb") as f:
                return tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            self.problems.append(f"{self.rel(path)}: {e}")
        except OSError as e:
            self.problems.append(f"{self.rel(path)}: {e.strerror}")
        return {}

    def jsonable(self, value: Any, where: str) -> Any:
        """TOML values → JSON values; local datetimes are read in the site's time zone."""
        if isinstance(value, dict):
            return {k: self.jsonable(v, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self.jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=self.tz)
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, time):
            return value.strftime("%H:%M")
        return value

    def add_media(self, file_value: Any, where: str, key: str = "file",
                  kinds: tuple[str, ...] = ("image", "video")) -> str | None:
        """Check a local media file and list it; returns its sha256 (None after a problem).

        ``where`` and ``key`` name the source field in problems (``file: key: what``);
        ``kinds`` are the media kinds the field accepts (``image``, ``video``).
        """
        where = f"{where}.{key}"
        if not isinstance(file_value, str) or not file_value:
            self.problems.append(f"{where}: expected a path under media/")
            return None
        path = (self.src / file_value).resolve()
        if not path.is_relative_to(self.src):
            self.problems.append(f"{where}: {file_value!r} points outside the source folder")
            return None
        if not path.is_file():
            self.problems.append(f"{where}: {file_value} not found")
            return None
        mime = MEDIA_TYPES.get(path.suffix.lower())
        if mime is None:
            self.problems.append(
                f"{where}: {file_value}: unsupported type (use {', '.join(sorted(MEDIA_TYPES))})"
            )
            return None
        if mime.split("/")[0] not in kinds:
            self.problems.append(f"{where}: {file_value} is a {mime.split('/')[0]}; this field takes {' or '.join(kinds)}")
            return None
        with path.open("rb") as f:
            head = f.read(16)
        magic = _MAGIC.get(mime)
        ok = head[4:8] == b"ftyp" if mime == "video/mp4" else magic is None or head.startswith(magic)
        if not ok:
            self.problems.append(f"{where}: {file_value} is not a valid {mime} file")
            return None
        size = path.stat().st_size
        if size == 0:
            self.problems.append(f"{where}: {file_value} is empty")
            return None
        sha = _sha256_file(path)
        self.media.setdefault(sha, {"sha256": sha, "size": size, "type": mime, "name": path.name})
        self.media_files[sha] = path
        return sha

    def kiosk_document(self, raw: Any, where: str) -> Any:
        """A kiosk document; its local ``image`` (or ``file``) becomes a media sha256."""
        if not isinstance(raw, dict):
            return self.jsonable(raw, where)
        doc = self.jsonable({k: v for k, v in raw.items() if k not in ("image", "file")}, where)
        if "image" in raw and "file" in raw:
            self.problems.append(f"{where}.file: give the page's image once (image = \"media/…\")")
            return doc
        key = "image" if "image" in raw else "file" if "file" in raw else None
        if key is not None:
            value = raw[key]
            if isinstance(value, str) and SHA256_RE.match(value):
                # The manifest's image is a hash; the source names the file it comes from.
                self.problems.append(f"{where}.{key}: name the file (media/…), not its hash")
                return doc
            sha = self.add_media(value, where, key, kinds=("image",))
            if sha:
                doc["image"] = sha
        return doc


def build_document(src: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    """Read the source folder into a manifest document (without version/published_at)."""
    b = _Builder(src)
    if not b.src.is_dir():
        raise PublishError([f"{src}: not a folder"])
    site_file = b.src / "site.toml"
    if not site_file.is_file():
        raise PublishError([f"{site_file}: missing (the site's name, time zone and languages)"])
    site_data = b.load(site_file)
    site = site_data.get("site")
    if not isinstance(site, dict):
        b.problems.append("site.toml: missing [site] table")
        site = {}
    try:
        b.tz = ZoneInfo(str(site.get("timezone", "Europe/Paris")))
    except Exception:
        b.problems.append(f"site.toml: site.timezone: unknown time zone {site.get('timezone')!r}")

    playlists = []
    for path in sorted((b.src / "playlists").glob("*.toml")):
        data = b.load(path)
        rel = b.rel(path)
        items = []
        for i, raw in enumerate(data.get("items", [])):
            where = f"{rel}: items[{i}]"
            item = b.jsonable({k: v for k, v in raw.items() if k not in _ITEM_FILES}, where)
            if raw.get("type") in ("image", "video"):
                sha = b.add_media(raw.get("file"), where, kinds=(raw["type"],))
                if sha:
                    item["media"] = sha
                for key, field in _ITEM_FILES.items():  # one file per orientation (optional)
                    if key != "file" and key in raw:
                        sha = b.add_media(raw[key], where, key, kinds=(raw["type"],))
                        if sha:
                            item[field] = sha
            elif any(k in raw for k in _ITEM_FILES):
                key = next(k for k in _ITEM_FILES if k in raw)
                b.problems.append(f"{where}.{key}: only image and video items take a file")
            items.append(item)
        playlist = b.jsonable({k: v for k, v in data.items() if k != "items"}, rel)
        playlist.setdefault("id", path.stem)
        playlist["items"] = items
        playlists.append(playlist)

    bulletins = []
    for path in sorted((b.src / "bulletins").glob("*.toml")):
        for i, raw in enumerate(b.load(path).get("bulletins", [])):
            where = f"{b.rel(path)}: bulletins[{i}]"
            if not isinstance(raw, dict):  # the schema says what is wrong with it
                bulletins.append(b.jsonable(raw, where))
                continue
            bulletin = b.jsonable({k: v for k, v in raw.items() if k != "picture"}, where)
            if "picture" in raw:  # a picture beside the text (optional)
                sha = b.add_media(raw["picture"], where, "picture", kinds=("image",))
                if sha:
                    bulletin["picture"] = sha
            bulletins.append(bulletin)

    kiosk: dict[str, list[Any]] = {}
    for path in sorted((b.src / "kiosk").glob("*.toml")):
        data = b.load(path)
        for section, docs in data.items():
            where = f"{b.rel(path)}: {section}"
            if not isinstance(docs, list):
                b.problems.append(f"{where}: expected [[{section}]] documents")
                continue
            kiosk.setdefault(section, []).extend(
                b.kiosk_document(raw, f"{where}[{i}]") for i, raw in enumerate(docs)
            )

    if b.problems:
        raise PublishError(b.problems)
    doc: dict[str, Any] = {
        "schema_version": 1,
        "site": b.jsonable(site, "site"),
        "media": sorted(b.media.values(), key=lambda m: m["sha256"]),
        "playlists": playlists,
        "bulletins": bulletins,
    }
    if kiosk:
        doc["kiosk"] = kiosk
    if "neutrality" in site_data:
        # Election-period neutrality: checked by the player; problems are warnings here.
        doc["neutrality"] = b.jsonable(site_data["neutrality"], "neutrality")
    return doc, b.media_files


def neutrality_warnings(doc: dict[str, Any]) -> tuple[str, ...]:
    """The neutrality section's problems as the player will report them (never fatal)."""
    if "neutrality" not in doc:
        return ()
    from player.neutrality import STANDARD_TAGS, parse_neutrality

    tags = set(STANDARD_TAGS)
    for p in doc.get("playlists", ()):
        for item in p.get("items", ()):
            tags.update(item.get("tags") or ())
    for docs in (doc.get("kiosk") or {}).values():
        for d in docs:
            if isinstance(d, dict):
                tags.update(d.get("tags") or ())
    return tuple(f"site.toml: {line}" for line in parse_neutrality(doc["neutrality"], known_tags=tags).problems)


def _copy_atomic(src: Path, dest: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as f:
            shutil.copyfileobj(f, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish(src: Path, dest: Path, published_at: datetime | None = None,
            sources: SourcesRun | None = None) -> PublishResult:
    """Publish ``src`` into ``dest``; media first, the manifest last and atomically.

    ``sources``: the content sources' run (default: ``src/sources.toml``'s sources, their
    state beside ``src``); what they give is merged after the hand-written content.
    """
    doc, files = build_document(Path(src))
    # Content sources and opening_hours (hub/sources, docs/sources.md): one call adds what
    # the sources give; the hand-written content wins on the same id.
    from hub.sources import SourcesRun

    source_errors, source_warnings = (sources or SourcesRun(Path(src), now=published_at)).contribute(doc, files)
    if source_errors:
        raise PublishError(source_errors)
    warnings = neutrality_warnings(doc) + tuple(source_warnings)
    content_hash = hashlib.sha256(manifest_bytes(doc)).hexdigest()
    version = f"c{content_hash[:20]}"
    manifest_path = Path(dest) / "v1" / "manifest.json"
    media_dir = Path(dest) / "v1" / "media"
    media_bytes = sum(m["size"] for m in doc["media"])

    if manifest_path.is_file():
        try:
            current = parse_manifest(manifest_path.read_bytes(), str(manifest_path))
        except ManifestError:
            current = None
        if current is not None and current.version == version and all(
            (media_dir / sha).is_file() for sha in files
        ):
            log.info("content unchanged: %s stays at version %s", manifest_path, version)
            return PublishResult(version, manifest_path, len(files), media_bytes, changed=False,
                                 warnings=warnings)

    when = (published_at or datetime.now(UTC)).astimezone(UTC)
    doc = {"version": version, "published_at": when.isoformat().replace("+00:00", "Z"), **doc}
    try:
        validate_document(doc, source=str(src))
    except ManifestError as e:
        raise PublishError(e.problems and [f"{src}: {p}" for p in e.problems]) from None

    media_dir.mkdir(parents=True, exist_ok=True)
    for sha, path in files.items():
        target = media_dir / sha
        if not (target.is_file() and target.stat().st_size == path.stat().st_size):
            _copy_atomic(path, target)
    fd, tmp = tempfile.mkstemp(prefix=".manifest.", dir=manifest_path.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(manifest_bytes(doc))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, manifest_path)
    log.info("published version %s: %d media file(s), %d bytes", version, len(files), media_bytes)
    return PublishResult(version, manifest_path, len(files), media_bytes, changed=True, warnings=warnings)

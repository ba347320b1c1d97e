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

Every problem of the folder is said at once, as :class:`hub.source_notes.SourceNote`
values naming the file, the item and the field (``playlists/hall.toml: item "poster-pool":
valid_until: …``, dates in the site's time zone): what the reader found in the files
(``hub.source_reader``), what the manifest's schema and rules refuse, and, as warnings
that do not stop publishing, media the screens would skip (``hub.media_checks``) and
content that can never show (``hub.content_warnings``). :func:`check_source` does all of
it without writing, for an editor.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sync import ManifestError, manifest_bytes, parse_manifest, validate_document
from sync.manifest import document_problems

from .content_warnings import content_warnings
from .media_checks import media_problems
from .source_notes import WARNING, Place, SourceNote
from .source_reader import MEDIA_TYPES, SourceReader

__all__ = ["MEDIA_TYPES", "PublishError", "PublishResult", "SourceCheck", "SourceNote", "build_document",
           "check_source", "publish", "uses_sources"]

if TYPE_CHECKING:
    from hub.sources import SourcesRun

log = logging.getLogger(__name__)

class PublishError(Exception):
    """The source folder has problems: ``notes`` holds them as values, ``problems`` one line
    each (file: item: field: what); ``warnings`` are what would have been said anyway."""

    def __init__(self, notes: Sequence[SourceNote | str], warnings: Sequence[SourceNote] = ()) -> None:
        self.notes = tuple(n if isinstance(n, SourceNote) else SourceNote("", n) for n in notes)
        self.problems = [str(n) if isinstance(n, SourceNote) else n for n in notes]
        self.warnings = tuple(warnings)
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{self.problems[0]}{more}")


@dataclass(frozen=True)
class PublishResult:
    version: str
    manifest_path: Path
    media_count: int
    media_bytes: int
    changed: bool
    # What does not stop publishing (the neutrality section, media the screens would skip,
    # content that can never show, the sources' notes), one line each ...
    warnings: tuple[str, ...] = ()
    # ... and the same as values (file, item, field, message) for an editor
    notes: tuple[SourceNote, ...] = ()


@dataclass(frozen=True)
class SourceCheck:
    """What :func:`check_source` found: the document (without ``version`` and
    ``published_at``), its media files by sha256, and every problem and warning."""

    document: dict[str, Any]
    files: dict[str, Path]
    problems: tuple[SourceNote, ...]
    warnings: tuple[SourceNote, ...]


# Checks of the document that only echo a file that could not be read: a reference to a
# bulletin (or a playlist) that file may hold, or no playlist at all
_ECHOES = {"bulletins/": (": unknown bulletin ",), "playlists/": (": no playlist has id ", "playlists: ")}


def _echoes_a_broken_file(line: str, broken: set[str]) -> bool:
    return any(any(f.startswith(folder) for f in broken) and any(e in line or line.startswith(e) for e in echoes)
               for folder, echoes in _ECHOES.items())


def check_source(src: Path, now: datetime | None = None, decode_media: bool = True,
                 neutrality: bool = True) -> SourceCheck:
    """Read the content folder and check everything at once: each file, the manifest's
    schema and rules, the media (decoded, when ``decode_media``), the election-period
    section (unless ``neutrality`` is false: :func:`publish` checks it once the sources'
    content is in) and the traps of valid content at ``now`` (default: the current time).
    Nothing is written."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    src = Path(src)
    if not src.is_dir():
        raise PublishError([SourceNote(str(src), "not a folder")])
    reader = SourceReader(src)
    site, site_data = reader.site()
    playlists = reader.playlists()
    bulletins = reader.bulletins()
    kiosk = reader.kiosk()
    site_doc = reader.jsonable(site, Place("site.toml", kind="site"), "site")
    doc: dict[str, Any] = {
        "schema_version": 1,
        "site": site_doc,
        "media": sorted(reader.media.values(), key=lambda m: m["sha256"]),
        "playlists": playlists,
        "bulletins": bulletins,
    }
    if kiosk:
        doc["kiosk"] = kiosk
    if "neutrality" in site_data:
        # Election-period neutrality: checked by the player; problems are warnings here.
        doc["neutrality"] = reader.jsonable(site_data["neutrality"], Place("site.toml"), "neutrality")
    locate = reader.locator
    for i, m in enumerate(doc["media"]):
        use = reader.media_uses[m["sha256"]]
        locate.add(f"media[{i}]", Place(use.written))

    problems = list(reader.errors)
    broken = reader.broken_files
    stamped = json.loads(json.dumps({"version": "c0", "published_at": now.isoformat().replace("+00:00", "Z"), **doc}))
    for docs in (stamped.get("kiosk") or {}).values():
        for d in docs if isinstance(docs, list) else ():
            if isinstance(d, dict) and isinstance(d.get("opening_hours"), str):
                # OSM opening_hours: turned into hours, and checked, by the sources' merge (hub/sources/hours.py)
                del d["opening_hours"]
    for line in document_problems(stamped):
        path = line.split(": ", 1)[0]
        if line.endswith("missing required field 'media'") or line.endswith("missing required field 'image'"):
            path = f"{path}.{line.rsplit(chr(39), 2)[1]}"
        if path in reader.said or _echoes_a_broken_file(line, broken):
            continue
        note = locate.note(line)
        if note.file not in broken:
            problems.append(note)

    # each file's lines together, in the order the folder is read; within a file, as found
    order = {f: i for i, f in enumerate(dict.fromkeys(["site.toml", *(n.file for n in problems)]))}
    problems.sort(key=lambda n: order[n.file])

    warnings = list(reader.warnings)
    if neutrality:
        warnings += _site_notes(neutrality_warnings(doc))
    warnings += content_warnings(doc, locate, now)
    if decode_media:
        found = media_problems({sha: (use.path, use.mime) for sha, use in reader.media_uses.items()})
        for sha, use in reader.media_uses.items():
            problem = found[sha]
            if problem:
                more = f" (it is used {use.uses} times)" if use.uses > 1 else ""
                warnings.append(SourceNote(use.place.file, f"{use.written}: {problem}: the screens will skip it{more}",
                                           use.place.item, use.place.kind, use.field, WARNING))
    files = {sha: use.path for sha, use in reader.media_uses.items()}
    return SourceCheck(doc, files, tuple(problems), tuple(warnings))


def _site_notes(lines: Sequence[str]) -> list[SourceNote]:
    return [SourceNote.from_line(line, WARNING) for line in lines]


def build_document(src: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    """Read the source folder into a manifest document (without version/published_at);
    raises :class:`PublishError` with every problem. Media are not decoded here."""
    check = check_source(src, decode_media=False)
    if check.problems:
        raise PublishError(check.problems, check.warnings)
    return check.document, check.files


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


def _current_umask() -> int:
    """The process's umask, read without changing it (os.umask would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: the usual dance, restored at once
    os.umask(mask)
    return mask


def _file_mode() -> int:
    """What a new file gets under the umask (0644 under the usual 022): the tree is served
    by a web server running as another user, and copied to USB keys."""
    return 0o666 & ~_current_umask()


def _create_temp(folder: Path, prefix: str) -> tuple[int, Path]:
    """A new file beside its final name, created with the umask's mode (mkstemp's is 0600)."""
    for _ in range(100):
        tmp = folder / f"{prefix}{secrets.token_hex(8)}.part"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder}: no free temporary name")


def _write_atomic(dest: Path, write: Callable[[BinaryIO], object], prefix: str = ".") -> None:
    fd, tmp = _create_temp(dest.parent, prefix)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _copy_atomic(src: Path, dest: Path) -> None:
    def copy(out: BinaryIO) -> None:
        with src.open("rb") as f:
            shutil.copyfileobj(f, out, 1 << 20)

    _write_atomic(dest, copy)


def _readable_as_the_umask_says(path: Path, mode: int) -> None:
    """Files an earlier publisher left 0600 get the umask's mode (a web server answered 403)."""
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError as e:  # another user's file: served as it is, said once
        log.warning("%s: cannot set mode %04o: %s", path, mode, e.strerror)


def uses_sources(src: Path, doc: dict[str, Any]) -> bool:
    """Whether the folder declares content sources or writes OSM ``opening_hours``."""
    if (src / "sources.toml").is_file():
        return True
    sections = doc.get("kiosk") or {}
    return any(isinstance(d, dict) and "opening_hours" in d
               for docs in sections.values() if isinstance(docs, list) for d in docs)


def publish(src: Path, dest: Path, published_at: datetime | None = None,
            sources: SourcesRun | None = None) -> PublishResult:
    """Publish ``src`` into ``dest``; media first, the manifest last and atomically.

    Raises :class:`PublishError` with every problem of the folder (nothing is written then);
    the result's ``warnings`` say what is published but will not show as its author may
    expect (judged at ``published_at``, default now).

    ``sources``: the content sources' run (default: ``src/sources.toml``'s sources, their
    state beside ``src``); what they give is merged after the hand-written content.
    """
    when = (published_at or datetime.now(UTC)).astimezone(UTC)
    check = check_source(Path(src), now=when, neutrality=False)
    if check.problems:
        raise PublishError(check.problems, check.warnings)
    doc, files = check.document, check.files
    # Content sources and opening_hours (hub/sources, docs/sources.md): one call adds what
    # the sources give; the hand-written content wins on the same id. A folder with neither
    # publishes without them (their parsers are the hub extra's: a device or a demo
    # machine has only the runtime).
    source_errors: list[str] = []
    source_warnings: list[str] = []
    if sources is not None or uses_sources(Path(src), doc):
        try:
            from hub.sources import SourcesRun
        except ImportError as e:
            raise PublishError([f"{src}: sources.toml and opening_hours need the hub's libraries ({e.name} is "
                                "missing): pip install 'town-kiosk[hub]'"]) from None
        run = sources or SourcesRun(Path(src), now=published_at)
        source_errors, source_warnings = run.contribute(doc, files)
    if source_errors:
        raise PublishError(source_errors, check.warnings)
    # the election-period rules know the tags of what the sources gave too
    notes = (*_site_notes(neutrality_warnings(doc)), *check.warnings,
             *(SourceNote.from_line(line, WARNING) for line in source_warnings))
    warnings = tuple(map(str, notes))
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
            mode = _file_mode()
            for path in (manifest_path, *(media_dir / sha for sha in files)):
                _readable_as_the_umask_says(path, mode)
            log.info("content unchanged: %s stays at version %s", manifest_path, version)
            return PublishResult(version, manifest_path, len(files), media_bytes, changed=False,
                                 warnings=warnings, notes=notes)

    doc = {"version": version, "published_at": when.isoformat().replace("+00:00", "Z"), **doc}
    try:
        validate_document(doc, source=str(src))
    except ManifestError as e:
        raise PublishError(e.problems and [f"{src}: {p}" for p in e.problems]) from None

    media_dir.mkdir(parents=True, exist_ok=True)
    mode = _file_mode()
    for sha, path in files.items():
        target = media_dir / sha
        if not (target.is_file() and target.stat().st_size == path.stat().st_size):
            _copy_atomic(path, target)
        else:
            _readable_as_the_umask_says(target, mode)
    body = manifest_bytes(doc)
    _write_atomic(manifest_path, lambda out: out.write(body), prefix=".manifest.")
    log.info("published version %s: %d media file(s), %d bytes", version, len(files), media_bytes)
    return PublishResult(version, manifest_path, len(files), media_bytes, changed=True, warnings=warnings,
                         notes=notes)

"""HTTP semantics of a published tree, shared by the reference server and the hub.

What a static web server or CDN does with ``v1/manifest.json`` and ``v1/media/<sha256>``:
the manifest with a strong ETag (``If-None-Match`` → 304, ``Cache-Control: no-cache``), media
by content address, immutable, with byte ranges (``Range`` → 206, ``If-Range`` honoured,
``416`` past the end). :func:`plan` decides the status, headers and byte range of an answer
from the request's headers; each server writes the bytes its own way. Only validated names
reach the file system: a device id matching :data:`ID_RE`, a sha256 of 64 hex digits.
"""
from __future__ import annotations

import email.utils
import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

MEDIA_RE = re.compile(r"^/v1/media/([0-9a-f]{64})\Z")
DEVICE_MANIFEST_RE = re.compile(r"^/v1/devices/([a-z0-9][a-z0-9_-]{0,63})/manifest\.json\Z")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


@dataclass(frozen=True)
class TreeFile:
    """A file of the tree with how it is served."""

    path: Path
    content_type: str
    etag: str
    ranges: bool  # media: byte ranges and immutable caching
    device: str | None = None  # the device of a per-device manifest


@dataclass(frozen=True)
class Answer:
    """What to send: status, headers, and the byte range of ``file`` (none: no body)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    file: Path | None = None
    start: int = 0
    length: int = 0


class ManifestEtags:
    """Strong ETags of manifests, recomputed only when a file's mtime or size changes."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[tuple[int, int], str]] = {}
        self._lock = threading.Lock()

    def etag(self, path: Path) -> str:
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            cached = self._cache.get(str(path))
        if cached is None or cached[0] != key:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
            cached = (key, f'"{digest}"')
            with self._lock:
                self._cache[str(path)] = cached
        return cached[1]


def locate(root: Path, url_path: str, etags: ManifestEtags) -> TreeFile | None:
    """The tree file a GET of ``url_path`` names (``root`` holds ``v1/``), or None."""
    v1 = root / "v1"
    device = DEVICE_MANIFEST_RE.match(url_path)
    if url_path == "/v1/manifest.json" or device:
        file = v1 / "manifest.json" if not device else v1 / "devices" / device.group(1) / "manifest.json"
        if not file.is_file():
            return None
        return TreeFile(file, "application/json", etags.etag(file), False, device.group(1) if device else None)
    m = MEDIA_RE.match(url_path)
    if m:
        file = v1 / "media" / m.group(1)
        if file.is_file():
            return TreeFile(file, "application/octet-stream", f'"{m.group(1)}"', True)
    return None


def empty(status: int, headers: dict[str, str] | None = None) -> Answer:
    return Answer(int(status), (*(headers or {}).items(), ("Content-Length", "0")))


def plan(file: TreeFile, header: Callable[[str], str | None]) -> Answer:
    """The answer to a GET (or HEAD) of ``file``; ``header(name)`` reads a request header."""
    if not file.ranges:
        inm = header("If-None-Match")
        if inm and file.etag in [t.strip() for t in inm.split(",")]:
            return empty(HTTPStatus.NOT_MODIFIED, {"ETag": file.etag})
    try:
        st = file.path.stat()
    except FileNotFoundError:  # replaced between locate() and now
        return empty(HTTPStatus.NOT_FOUND)
    size = st.st_size
    last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
    ims = header("If-Modified-Since")
    if file.ranges and ims and not header("Range"):
        try:
            if int(st.st_mtime) <= email.utils.parsedate_to_datetime(ims).timestamp():
                return empty(HTTPStatus.NOT_MODIFIED, {"ETag": file.etag, "Last-Modified": last_modified})
        except (TypeError, ValueError):
            pass
    start, end = 0, size - 1
    status = HTTPStatus.OK
    rng = header("Range") if file.ranges else None
    if_range = header("If-Range")
    if rng and (if_range is None or if_range.strip() == file.etag):
        m = _RANGE_RE.match(rng.strip())
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:
                start = max(0, size - int(m.group(2)))
            if start >= size or start > end:
                return empty(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {"Content-Range": f"bytes */{size}"})
            status = HTTPStatus.PARTIAL_CONTENT
    length = end - start + 1 if size else 0
    headers = [
        ("Content-Type", file.content_type),
        ("Content-Length", str(length)),
        ("ETag", file.etag),
        ("Last-Modified", last_modified),
    ]
    if file.ranges:
        headers.append(("Accept-Ranges", "bytes"))
    if status == HTTPStatus.PARTIAL_CONTENT:
        headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
    headers.append(("Cache-Control", "public, max-age=31536000, immutable" if file.ranges else "no-cache"))
    return Answer(int(status), tuple(headers), file.path, start, length)


def body(answer: Answer) -> Iterator[bytes]:
    """The answer's bytes, read in chunks (nothing for an answer without a file)."""
    if answer.file is None or not answer.length:
        return
    with answer.file.open("rb") as f:
        f.seek(answer.start)
        remaining = answer.length
        while remaining > 0:
            chunk = f.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk

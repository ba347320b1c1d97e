"""A content pack on a local folder (a USB key) as a source for :class:`sync.Syncer`.

A content pack is a published tree (``kiosk publish``) at the root of a folder:
``v1/manifest.json`` and ``v1/media/<sha256>`` (and optionally
``v1/devices/<id>/manifest.json``). :class:`LocalPackSource` is a :class:`sync.ContentSource`
like :class:`sync.ContentApiClient`, so a pack goes through the very same validation,
hash-and-size checks and one-transaction switch as a download.

Nothing from the pack is trusted: the manifest is validated in full, a media file is
streamed through the store's partial file and only gets its final name once its sha256
and size match, and only validated sha256 digests are ever used to build a path.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from content_cache import MediaStore, MediaVerificationError, StoredFile, check_sha256, read_chunks

from .errors import ApiUnreachable, MediaDownloadError, Stopped
from .manifest import MAX_MANIFEST_BYTES, parse_manifest
from .settings import SyncSettings
from .source import ManifestFetch, NewManifest, NotModified

log = logging.getLogger(__name__)


class NotAContentPack(ApiUnreachable):
    """The folder holds no ``v1/manifest.json``."""


def manifest_etag(body: bytes) -> str:
    """The ETag the reference server (``kiosk serve``) gives the same manifest bytes.

    So a pack of the version a device already got over the network is "not modified",
    and the live version's ETag is not replaced by one the server would not recognise.
    """
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


class LocalPackSource:
    """Reads one content pack folder (a :class:`sync.ContentSource`); safe to use from
    several download threads."""

    def __init__(self, root: Path | str, settings: SyncSettings | None = None,
                 stop: threading.Event | None = None) -> None:
        self.root = Path(root)
        self.settings = settings or SyncSettings(api_url=self.root.resolve().as_uri())
        self.base_url = self.root.resolve().as_uri()
        self.stop = stop or threading.Event()
        self.requests_made = 0  # files opened, the local counterpart of HTTP requests
        self._lock = threading.Lock()

    @property
    def manifest_path(self) -> Path:
        device = self.settings.device_id
        if device:
            own = self.root / "v1" / "devices" / device / "manifest.json"
            if own.is_file():
                return own
        return self.root / "v1" / "manifest.json"

    def media_path(self, sha256: str) -> Path:
        return self.root / "v1" / "media" / check_sha256(sha256)

    def _count(self) -> None:
        with self._lock:
            self.requests_made += 1

    def fetch_manifest(self, etag: str | None) -> ManifestFetch:
        """Read and validate the pack's manifest; ``not_modified`` when ``etag`` matches."""
        if self.stop.is_set():
            raise Stopped("import stopped")
        path = self.manifest_path
        self._count()
        try:
            with path.open("rb") as f:
                body = f.read(MAX_MANIFEST_BYTES + 1)
        except FileNotFoundError:
            raise NotAContentPack(f"{self.root}: not a content pack (no v1/manifest.json)") from None
        except OSError as e:
            raise ApiUnreachable(f"{path}: cannot read ({e.strerror})") from None
        tag = manifest_etag(body)
        if etag is not None and etag == tag:
            return NotModified(etag=etag, url=str(path))
        manifest = parse_manifest(body, source=str(path))  # raises ManifestError, every problem
        return NewManifest(manifest=manifest, etag=tag, body_sha256=hashlib.sha256(body).hexdigest(), url=str(path))

    def download_media(
        self,
        store: MediaStore,
        sha256: str,
        size: int,
        on_bytes: Callable[[int], None] | None = None,
    ) -> StoredFile:
        """Copy one media file of the pack into the store, verified like a download.

        Raises :class:`MediaDownloadError` naming the pack's file, or :class:`Stopped`.
        """
        src = self.media_path(sha256)
        if not src.is_file():
            raise MediaDownloadError(f"{src}: missing from the content pack")
        self._count()
        part = store.partial(sha256, size)
        try:
            self._check_stop()
            part.restart()  # a local copy is quick: never resume from someone else's bytes
            with src.open("rb") as f:
                return part.append_and_commit(read_chunks(f), on_bytes=on_bytes, between_chunks=self._check_stop)
        except Stopped:
            part.discard()
            raise
        except MediaVerificationError:
            part.discard()
            raise MediaDownloadError(_mismatch(src, sha256, size)) from None
        except OSError as e:
            part.discard()
            if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):  # the device's disk, not the pack
                raise
            raise MediaDownloadError(f"{src}: cannot read ({e.strerror})") from None
        finally:
            part.close()

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise Stopped("import stopped")


def _mismatch(src: Path, sha256: str, size: int) -> str:
    try:
        actual = src.stat().st_size
    except OSError:
        actual = -1
    if actual != size:
        return f"{src}: {actual} bytes, the manifest says {size}"
    return f"{src}: content does not match its sha256 (the file was altered)"

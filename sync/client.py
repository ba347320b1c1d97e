"""HTTP client of the content API (v1).

The API is a static tree: ``<base>/v1/manifest.json`` (ETag-able) and immutable media at
``<base>/v1/media/<sha256>``. The client never builds a path from server text other than
a validated sha256.
"""
from __future__ import annotations

import hashlib
import logging
from importlib import metadata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import requests

from content_cache import MediaStore, StoredFile, check_sha256

from .manifest import MAX_MANIFEST_BYTES, Manifest, parse_manifest

log = logging.getLogger(__name__)

try:
    _client_version = metadata.version("town-kiosk")
except metadata.PackageNotFoundError:  # running from a source tree
    _client_version = "dev"

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
_CHUNK = 256 * 1024


class SyncError(Exception):
    """Base class of sync errors; the message is one line for a technician."""


class ApiUnreachable(SyncError):
    """The server could not be reached or answered with an HTTP error."""


class MediaDownloadError(SyncError):
    """A media file could not be downloaded or failed verification."""


@dataclass(frozen=True)
class ManifestFetch:
    """Result of a conditional manifest request."""

    not_modified: bool
    manifest: Manifest | None = None
    etag: str | None = None
    body_sha256: str | None = None


class ContentApiClient:
    def __init__(self, base_url: str, *, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = session or requests.Session()
        self.http.headers.setdefault("User-Agent", f"town-kiosk/{_client_version}")
        self.requests_made = 0

    @property
    def manifest_url(self) -> str:
        return f"{self.base_url}/v1/manifest.json"

    def media_url(self, sha256: str) -> str:
        return f"{self.base_url}/v1/media/{check_sha256(sha256)}"

    def _get(self, url: str, headers: dict[str, str]) -> requests.Response:
        self.requests_made += 1
        try:
            resp = self.http.get(
                url, headers=headers, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
            )
        except requests.RequestException as e:
            raise ApiUnreachable(f"{url}: {type(e).__name__}: {_first_line(e)}") from None
        return resp

    def fetch_manifest(self, etag: str | None) -> ManifestFetch:
        """GET the manifest, conditionally on ``etag``; validate it fully when it changed."""
        headers = {"Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        resp = self._get(self.manifest_url, headers)
        with resp:
            if resp.status_code == 304:
                return ManifestFetch(not_modified=True, etag=etag)
            if resp.status_code != 200:
                raise ApiUnreachable(f"{self.manifest_url}: HTTP {resp.status_code}")
            body = _read_limited(resp, MAX_MANIFEST_BYTES, self.manifest_url)
        manifest = parse_manifest(body, source=self.manifest_url)
        return ManifestFetch(
            not_modified=False,
            manifest=manifest,
            etag=resp.headers.get("ETag"),
            body_sha256=hashlib.sha256(body).hexdigest(),
        )

    def download_media(
        self,
        store: MediaStore,
        sha256: str,
        size: int,
        on_bytes: Callable[[int], None] | None = None,
    ) -> StoredFile:
        """Stream one media file into the store, verified; raise MediaDownloadError on failure."""
        url = self.media_url(sha256)
        resp = self._get(url, {})
        with resp:
            if resp.status_code != 200:
                raise MediaDownloadError(f"{url}: HTTP {resp.status_code}")

            def chunks() -> Iterator[bytes]:
                try:
                    for chunk in resp.iter_content(_CHUNK):
                        if on_bytes:
                            on_bytes(len(chunk))
                        yield chunk
                except requests.RequestException as e:
                    raise MediaDownloadError(f"{url}: {type(e).__name__}: {_first_line(e)}") from None

            try:
                return store.put_verified(chunks(), sha256, size)
            except MediaDownloadError:
                raise
            except Exception as e:  # verification or disk error, one line
                raise MediaDownloadError(str(e)) from None


def _read_limited(resp: requests.Response, limit: int, url: str) -> bytes:
    buf = bytearray()
    try:
        for chunk in resp.iter_content(64 * 1024):
            buf += chunk
            if len(buf) > limit:
                raise SyncError(f"{url}: body over the {limit}-byte limit")
    except requests.RequestException as e:
        raise ApiUnreachable(f"{url}: {type(e).__name__}: {_first_line(e)}") from None
    return bytes(buf)


def _first_line(e: BaseException) -> str:
    return (str(e).splitlines() or [""])[0][:200]

"""HTTP client of the content API (v1).

The API is a static tree: ``<base>/v1/manifest.json`` (ETag-able), optionally a
per-device ``<base>/v1/devices/<id>/manifest.json``, and immutable media at
``<base>/v1/media/<sha256>``. The client never builds a path from server text other than
a validated sha256, never logs the bearer token, and keeps TLS verification on.
"""
from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import requests
import urllib3

from content_cache import MediaStore, MediaVerificationError, PartialBusy, PartialDownload, StoredFile, check_sha256

from .errors import ApiUnreachable, MediaDownloadError, Stopped, SyncError
from .manifest import MAX_MANIFEST_BYTES, ManifestError, parse_manifest
from .source import ManifestFetch, NewManifest, NotModified
from .transport import HttpTransport, _Retry
from .wording import Problem, network_problem

log = logging.getLogger(__name__)

_CHUNK = 256 * 1024  # read1 returns what is there, at most this
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


T = TypeVar("T")


class _Absent(SyncError):
    """An optional document (the per-device manifest) is not on the server (never leaves the client)."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class ContentApiClient(HttpTransport):
    """Talks to one content API (a :class:`sync.ContentSource`); safe to use from several
    download threads."""

    @property
    def manifest_url(self) -> str:
        return f"{self.base_url}/v1/manifest.json"

    @property
    def device_manifest_url(self) -> str | None:
        if not self.settings.device_id:
            return None
        return f"{self.base_url}/v1/devices/{self.settings.device_id}/manifest.json"

    def media_url(self, sha256: str) -> str:
        return f"{self.base_url}/v1/media/{check_sha256(sha256)}"

    def _backoff(self, attempt: int, retry_after: float | None, deadline: float | None = None) -> None:
        s = self.settings
        if retry_after is not None:
            delay = min(retry_after, s.retry_after_max_s)
        else:
            # Exponential with "equal jitter": a fleet does not retry in lock-step.
            cap = min(s.backoff_max_s, s.backoff_base_s * (2 ** attempt))
            delay = cap / 2 + random.uniform(0, cap / 2)
        if deadline is not None:
            delay = min(delay, max(0.0, deadline - time.monotonic()))
        if delay > 0:
            self._sleep(delay)
        if self.stop.is_set():
            raise Stopped("sync stopped")

    def _with_retries(
        self, what: str, fn: Callable[[], T], error: type[SyncError], deadline: float | None = None,
    ) -> T:
        """``fn()``, tried again after a transient failure (``_Retry``) with backoff, up to
        ``max_attempts`` times — and not past ``deadline`` (a monotonic time) if given."""
        last = Problem("")
        for attempt in range(self.settings.max_attempts):
            try:
                return fn()
            except _Retry as e:
                last = Problem(str(e), e.remedy)
                if deadline is not None and time.monotonic() >= deadline:
                    raise error(Problem(f"{last.what} (gave up: its deadline passed)", last.remedy).line()) from None
                if attempt + 1 < self.settings.max_attempts:
                    log.debug("%s: attempt %d failed (%s); retrying", what, attempt + 1, e)
                    self._backoff(attempt, e.retry_after, deadline)
        raise error(last.line(attempts=self.settings.max_attempts))

    # -- manifest -------------------------------------------------------------------
    def fetch_manifest(self, etag: str | None) -> ManifestFetch:
        """GET the manifest (the device's own if the server has one), conditionally on
        ``etag``; validate it fully when it changed. Retries transient failures, all
        within ``settings.manifest_deadline_s``: a server dripping its manifest a few bytes
        a second cannot hold the sync (:class:`ApiUnreachable` when the deadline passes).
        A body over the size limit is an invalid manifest (:class:`ManifestError`)."""
        deadline = time.monotonic() + self.settings.manifest_deadline_s
        own = self.device_manifest_url
        if own and time.monotonic() >= self._no_device_manifest_until:
            try:
                return self._with_retries(
                    own, lambda: self._fetch_manifest_once(own, etag, True, deadline), ApiUnreachable, deadline,
                )
            except _Absent:
                log.info("no per-device manifest at %s; using the shared one", own)
                self._no_device_manifest_until = time.monotonic() + self.settings.device_manifest_recheck_s
        url = self.manifest_url
        return self._with_retries(
            url, lambda: self._fetch_manifest_once(url, etag, False, deadline), ApiUnreachable, deadline,
        )

    def _fetch_manifest_once(self, url: str, etag: str | None, optional: bool, deadline: float) -> ManifestFetch:
        """One request; an ``optional`` manifest the server does not have raises :class:`_Absent`."""
        headers = {"Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        resp = self._get(url, headers, deadline)
        with resp:
            if resp.status_code == 304:
                return NotModified(etag=etag, url=url)
            if optional and resp.status_code in (404, 410):
                raise _Absent(url)
            if resp.status_code in RETRYABLE_STATUS:
                problem = self._http_problem(url, resp.status_code, manifest=True)
                raise _Retry(problem.what, parse_retry_after(resp.headers.get("Retry-After")), problem.remedy)
            if resp.status_code != 200:
                raise ApiUnreachable(self._http_problem(url, resp.status_code, manifest=True).line())
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_MANIFEST_BYTES:
                raise ManifestError([f"body of {declared} bytes is over the {MAX_MANIFEST_BYTES}-byte limit"],
                                    source=url)
            body = self._read_limited(resp, url, deadline)
        manifest = parse_manifest(body, source=url)
        return NewManifest(
            manifest=manifest, etag=resp.headers.get("ETag"), body_sha256=hashlib.sha256(body).hexdigest(), url=url,
        )

    def _read_limited(self, resp: requests.Response, url: str, deadline: float) -> bytes:
        """The body, read as it arrives (so the deadline is checked between arrivals,
        not after a full 64 kB that a drip would take minutes to fill)."""
        buf = bytearray()
        raw = resp.raw
        try:
            while chunk := raw.read1(64 * 1024, decode_content=True):
                buf += chunk
                if len(buf) > MAX_MANIFEST_BYTES:
                    raise ManifestError([f"body over the {MAX_MANIFEST_BYTES}-byte limit"], source=url)
                if time.monotonic() > deadline:
                    raise ApiUnreachable(
                        f"{url}: too slow, {len(buf)} bytes received within the manifest's "
                        f"{self.settings.manifest_deadline_s:g} s deadline (sync.manifest_deadline)"
                    )
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise self._retry(url, e) from None
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and not resp.headers.get("Content-Encoding") and int(declared) != len(buf):
            raise _Retry(f"{url}: truncated body ({len(buf)} of {declared} bytes)")
        return bytes(buf)

    # -- media ----------------------------------------------------------------------
    def download_media(
        self,
        store: MediaStore,
        sha256: str,
        size: int,
        on_bytes: Callable[[int], None] | None = None,
    ) -> StoredFile:
        """Fetch one media file into the store, resuming a partial download, verified.

        Raises :class:`MediaDownloadError` after ``max_attempts``, or :class:`Stopped`.
        """
        url = self.media_url(sha256)
        part = store.partial(sha256, size)
        validator: list[str | None] = [None]
        try:
            return self._with_retries(
                url, lambda: self._download_once(url, part, validator, on_bytes), MediaDownloadError
            )
        except PartialBusy as e:  # another writer, which did not take the cache's writer lock
            raise MediaDownloadError(str(e)) from None
        finally:
            part.close()

    def _download_once(
        self, url: str, part: PartialDownload, validator: list[str | None], on_bytes: Callable[[int], None] | None
    ) -> StoredFile:
        offset = part.resume()
        if offset == part.size:
            try:
                return part.commit()
            except MediaVerificationError:
                offset = part.restart()
        headers: dict[str, str] = {}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if validator[0]:
                headers["If-Range"] = validator[0]
        deadline = time.monotonic() + self.settings.file_deadline_s(part.size)
        resp = self._get_media(url, headers)
        try:
            status = resp.status
            if status == 416:
                part.restart()
                raise _Retry(f"{url}: HTTP 416 for a resumed download; starting over", 0)
            if status in RETRYABLE_STATUS:
                problem = self._http_problem(url, status, manifest=False)
                raise _Retry(problem.what, parse_retry_after(resp.headers.get("Retry-After")), problem.remedy)
            if status not in (200, 206):
                raise MediaDownloadError(self._http_problem(url, status, manifest=False).line())
            validator[0] = resp.headers.get("ETag") or resp.headers.get("Last-Modified")
            if status == 206:
                start = _content_range_start(resp.headers.get("Content-Range"))
                if start != offset:
                    part.restart()
                    raise _Retry(f"{url}: Content-Range starts at {start}, expected {offset}", 0)
            elif offset:
                part.restart()  # the server ignored Range: take the whole body again

            def between_chunks() -> None:
                if time.monotonic() > deadline:
                    raise _Retry(
                        f"{url}: too slow, over the {self.settings.file_deadline_s(part.size):.0f} s deadline "
                        f"({part.offset} of {part.size} bytes kept for resuming)"
                    )
                if self.stop.is_set():
                    raise Stopped("sync stopped")

            try:
                return part.append_and_commit(
                    _chunks_as_they_come(resp, url), on_bytes=on_bytes, between_chunks=between_chunks
                )
            except MediaVerificationError as e:  # the partial file is gone: start over, after a backoff
                raise _Retry(str(e)) from None
        finally:
            # A body read to its end has given its connection back to the pool already;
            # any other (an error status, a broken or abandoned body) is closed here.
            resp.close()


def _chunks_as_they_come(resp: urllib3.BaseHTTPResponse, url: str) -> Iterator[bytes]:
    """Body chunks as soon as the network delivers them (at most _CHUNK bytes each).

    A read of a full chunk would wait for all of it, so a server dripping a few bytes a
    second could keep a read going far past the file's deadline between two checks.
    """
    try:
        while True:
            chunk = resp.read1(_CHUNK)
            if not chunk:
                break
            yield chunk
    except (urllib3.exceptions.HTTPError, OSError) as e:
        problem = network_problem(url, e)
        raise _Retry(f"{url}: {problem.what}", remedy=problem.remedy) from None
    # urllib3 checks the announced length at the end (truncated body → ProtocolError)


def _content_range_start(value: str | None) -> int | None:
    m = re.match(r"^bytes (\d+)-\d+/(\d+|\*)$", (value or "").strip())
    return int(m.group(1)) if m else None


"""HTTP client of the content API (v1).

The API is a static tree: ``<base>/v1/manifest.json`` (ETag-able), optionally a
per-device ``<base>/v1/devices/<id>/manifest.json``, and immutable media at
``<base>/v1/media/<sha256>``. The client never builds a path from server text other than
a validated sha256, never logs the bearer token, and keeps TLS verification on.
"""
from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import TypedDict, TypeVar
from urllib.parse import unquote

import requests
import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from content_cache import MediaStore, MediaVerificationError, PartialBusy, PartialDownload, StoredFile, check_sha256

from .errors import ApiUnreachable, InvalidSettings, MediaDownloadError, Stopped, SyncError
from .manifest import MAX_MANIFEST_BYTES, ManifestError, parse_manifest
from .settings import SyncSettings
from .source import ManifestFetch, NewManifest, NotModified
from .wording import Problem, http_problem, network_problem

log = logging.getLogger(__name__)

try:
    _client_version = metadata.version("town-kiosk")
except metadata.PackageNotFoundError:  # running from a source tree
    _client_version = "dev"

_CHUNK = 256 * 1024  # read1 returns what is there, at most this
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
# Media requests: redirects followed (media may live on another host; the token is not sent
# there), nothing else retried by urllib3 — retries are ours, with backoff and deadlines.
_MEDIA_REDIRECTS = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=10)


T = TypeVar("T")


class _PoolOptions(TypedDict, total=False):
    """What the media downloads' urllib3 pool managers are made with."""

    num_pools: int
    maxsize: int
    cert_reqs: str
    ca_certs: str
    ca_cert_dir: str


class _Retry(SyncError):
    """A transient failure: the attempt is made again (never leaves the client)."""

    def __init__(self, message: str, retry_after: float | None = None, remedy: str = "") -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.remedy = remedy  # said once, after the last attempt


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


class ContentApiClient:
    """Talks to one content API (a :class:`sync.ContentSource`); safe to use from several
    download threads."""

    def __init__(
        self,
        settings: SyncSettings,
        *,
        stop: threading.Event | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """``settings``: where the API is (``api_url``) and how to talk to it."""
        self.settings = settings
        if self.settings.device_id is not None and not _ID_RE.match(self.settings.device_id):
            raise InvalidSettings(f"device id {self.settings.device_id!r}: use a-z, 0-9, '-' and '_'")
        self.base_url = self.settings.api_url.rstrip("/")
        self.stop = stop or threading.Event()
        self._sleep = sleep or self.stop.wait
        self._local = threading.local()
        self._lock = threading.Lock()
        self.requests_made = 0
        self._no_device_manifest_until = 0.0
        self._media_pools: urllib3.PoolManager | None = None
        self._media_headers: dict[str, str] = {}

    # -- plumbing -----------------------------------------------------------------
    @property
    def http(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = f"town-kiosk/{_client_version}"
            if self.settings.token:
                s.headers["Authorization"] = f"Bearer {self.settings.token}"
            s.verify = str(self.settings.ca_bundle) if self.settings.ca_bundle else True
            # Every request goes to the API's host: resolve the environment's proxies and CA
            # bundle (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE) once, for its URL. Left to
            # requests, they are re-read from os.environ (and a ~/.netrc looked for) on each
            # request: ~0.7 ms of CPU per media file. A .netrc is not used (token auth).
            env = s.merge_environment_settings(self.base_url, {}, None, s.verify, None)
            s.proxies = env["proxies"]
            s.verify = env["verify"]
            s.trust_env = False
            self._local.session = s
        return s

    @property
    def media_http(self) -> urllib3.PoolManager:
        """Connection pools of the media downloads: urllib3, requests' own transport, used
        directly, shared by the download threads.

        Set up from the same resolved settings as :attr:`http` (token, proxy, CA bundle).
        A file's request through requests cost ~0.6 ms more CPU (request preparation,
        cookie jar, hooks): a tenth of a 200-file sync on loopback, where downloads
        compete with the server for the CPU.
        """
        if self._media_pools is None:
            with self._lock:
                if self._media_pools is None:
                    self._media_pools = self._make_media_pools()
        return self._media_pools

    def _make_media_pools(self) -> urllib3.PoolManager:
        session = self.http
        # The session's identity and token; no Accept-Encoding: the bytes hashed are the file's.
        self._media_headers = {
            k: v.decode("latin-1") if isinstance(v, bytes) else v
            for k, v in session.headers.items() if k in ("User-Agent", "Authorization")
        }
        kw: _PoolOptions = {"num_pools": 4, "maxsize": max(1, self.settings.parallel_downloads)}
        ca = session.verify
        if ca is True:
            ca = DEFAULT_CA_BUNDLE_PATH  # certifi's bundle, as requests uses it
        kw["cert_reqs"] = "CERT_REQUIRED"  # never off; a configured bundle is the one trusted, as for the manifest
        if os.path.isdir(str(ca)):
            kw["ca_cert_dir"] = str(ca)
        else:
            kw["ca_certs"] = str(ca)
        scheme = urllib3.util.parse_url(self.base_url).scheme or "http"
        proxy = session.proxies.get(scheme) or session.proxies.get("all")
        if not proxy:
            return urllib3.PoolManager(**kw)
        if proxy.lower().startswith("socks"):
            from urllib3.contrib.socks import SOCKSProxyManager  # needs PySocks, as requests does

            return SOCKSProxyManager(proxy, **kw)
        auth = urllib3.util.parse_url(proxy).auth
        headers = urllib3.make_headers(proxy_basic_auth=unquote(auth)) if auth else None
        return urllib3.ProxyManager(proxy, proxy_headers=headers, **kw)

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

    def _count_request(self) -> None:
        if self.stop.is_set():
            raise Stopped("sync stopped")
        with self._lock:
            self.requests_made += 1

    def _get(self, url: str, headers: dict[str, str], deadline: float | None = None) -> requests.Response:
        self._count_request()
        connect, read = self.settings.connect_timeout_s, self.settings.read_timeout_s
        if deadline is not None:  # no wait may outlast the deadline
            left = max(0.1, deadline - time.monotonic())
            connect, read = min(connect, left), min(read, left)
        try:
            return self.http.get(url, headers=headers, stream=True, timeout=(connect, read))
        except requests.exceptions.SSLError as e:
            raise ApiUnreachable(self._network_problem(url, e).line()) from None  # no better on retry
        except requests.RequestException as e:
            raise self._retry(url, e) from None

    def _get_media(self, url: str, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
        self._count_request()
        pools = self.media_http
        try:
            return pools.urlopen(
                "GET", url, headers={**self._media_headers, **headers}, retries=_MEDIA_REDIRECTS,
                preload_content=False, decode_content=False,
                timeout=urllib3.Timeout(connect=self.settings.connect_timeout_s, read=self.settings.read_timeout_s),
            )
        except urllib3.exceptions.MaxRetryError as e:
            reason = e.reason or e
            if isinstance(reason, urllib3.exceptions.SSLError):
                raise ApiUnreachable(f"{url}: {self._network_problem(url, reason).line()}") from None
            raise self._retry(url, reason, name_url=True) from None
        except urllib3.exceptions.HTTPError as e:
            raise self._retry(url, e, name_url=True) from None

    def _network_problem(self, url: str, e: BaseException) -> Problem:
        return network_problem(url, e, self.settings.connect_timeout_s, self.settings.read_timeout_s)

    def _retry(self, url: str, e: BaseException, name_url: bool = False) -> _Retry:
        """A failure worth another attempt; a media file's names its URL (which file failed)."""
        problem = self._network_problem(url, e)
        return _Retry(f"{url}: {problem.what}" if name_url else problem.what, remedy=problem.remedy)

    def _http_problem(self, url: str, status: int, manifest: bool) -> Problem:
        return http_problem(url, status, has_token=bool(self.settings.token), manifest=manifest)

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

    def post_json(self, url: str, body: object, headers: dict[str, str]) -> requests.Response:
        """One POST (no retries: the caller's schedule is the retry); counted."""
        with self._lock:
            self.requests_made += 1
        resp = self.http.post(
            url, data=json.dumps(body), headers={"Content-Type": "application/json", **headers},
            timeout=(self.settings.connect_timeout_s, self.settings.read_timeout_s),
        )
        resp.close()
        return resp

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


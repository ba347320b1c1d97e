"""One request to the content API's host, no retries: what :class:`sync.client.ContentApiClient`
is built on.

A requests session per thread for the manifest and reports, urllib3 connection pools
shared by the media downloads, both set up once from the settings (token, proxy, CA
bundle); a request counter that honours the stop; a network failure turned into a
transient :class:`_Retry` (which the client tries again) or, for TLS, :class:`ApiUnreachable`.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from importlib import metadata
from typing import TypedDict
from urllib.parse import unquote

import requests
import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from .errors import ApiUnreachable, InvalidSettings, Stopped, SyncError
from .settings import SyncSettings
from .wording import Problem, http_problem, network_problem

try:
    _client_version = metadata.version("town-kiosk")
except metadata.PackageNotFoundError:  # running from a source tree
    _client_version = "dev"

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
# Media requests: redirects followed (media may live on another host; the token is not sent
# there), nothing else retried by urllib3 — retries are ours, with backoff and deadlines.
_MEDIA_REDIRECTS = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=10)


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


class HttpTransport:
    """Requests to one content API's host (see the module); safe to use from several
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

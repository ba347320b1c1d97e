"""The content API behind real TLS, behind a real forwarding proxy, and redirecting media.

The manifest request (requests) and the media downloads (urllib3's pools, used directly)
must take the same settings: the town's CA bundle, the environment's proxy and its
credentials, the bearer token.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from content_cache import ContentCache, MediaStore
from hub.refserver import ContentTreeServer
from sync import ApiUnreachable, ContentApiClient, Outcome, SyncSettings, sync_once

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.fixture
def town_ca(tmp_path: Path):  # noqa: ANN201 - a trustme.CA
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


@pytest.fixture
def tls_server(published: Path, town_ca) -> Iterator[tuple[ContentTreeServer, str]]:  # noqa: ANN001
    srv = ContentTreeServer(published, "127.0.0.1", 0)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    town_ca.issue_cert("127.0.0.1").configure_cert(ctx)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.start_background()
    yield srv, f"https://127.0.0.1:{srv.server_address[1]}"
    srv.stop()


def _media(published: Path) -> list[dict]:
    return json.loads((published / "v1" / "manifest.json").read_bytes())["media"]


def _assert_store_holds(store: MediaStore, media: list[dict]) -> None:
    for m in media:
        assert hashlib.sha256(store.path_for(m["sha256"]).read_bytes()).hexdigest() == m["sha256"]


def test_a_sync_over_tls_trusts_the_configured_ca_bundle(
    tls_server, town_ca, published: Path, cache: ContentCache, tmp_path: Path  # noqa: ANN001
) -> None:
    srv, url = tls_server
    ca_file = tmp_path / "town-ca.pem"
    town_ca.cert_pem.write_to_path(str(ca_file))
    result = sync_once(cache, ContentApiClient(SyncSettings(api_url=url, ca_bundle=ca_file)), now=lambda: NOW)
    assert result.outcome == Outcome.UPDATED, result.message
    media = _media(published)
    assert result.files_fetched == len(media)
    _assert_store_holds(cache.store, media)
    assert sorted(r.path for r in srv.take_records() if r.path.startswith("/v1/media/")) == sorted(
        f"/v1/media/{m['sha256']}" for m in media)


def test_a_media_download_from_a_host_it_cannot_verify_is_refused_in_one_line(
    tls_server, published: Path, tmp_path: Path  # noqa: ANN001
) -> None:
    srv, url = tls_server
    m = _media(published)[0]
    client = ContentApiClient(SyncSettings(api_url=url))  # the system's CAs only
    store = MediaStore(tmp_path / "media")
    with pytest.raises(ApiUnreachable) as exc:
        client.download_media(store, m["sha256"], m["size"])
    message = str(exc.value)
    assert message.startswith(f"{url}/v1/media/{m['sha256']}: TLS error with 127.0.0.1: ") and "\n" not in message
    assert message.endswith(" — check the device's clock; for a town CA set api.ca_bundle")
    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert not store.has(m["sha256"])
    assert client.requests_made == 1  # a certificate does not get better by retrying


class _Proxy(ThreadingHTTPServer):
    """A forwarding HTTP proxy (absolute-URI GETs) that wants Basic credentials."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None, str | None]] = []  # URL, Proxy-Authorization, Authorization
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Proxy

    def do_GET(self) -> None:  # noqa: N802
        self.server.seen.append((self.path, self.headers.get("Proxy-Authorization"), self.headers.get("Authorization")))
        if self.headers.get("Proxy-Authorization") != "Basic dG93bjpzM2NyZXQh":  # town:s3cret!
            self.send_response(407)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        target = urlsplit(self.path)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        headers = {k: v for k, v in self.headers.items() if not k.lower().startswith("proxy-")}
        conn.request("GET", target.path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        conn.close()

    def log_message(self, *args: object) -> None:
        pass


def test_a_sync_goes_through_the_environment_proxy_with_its_credentials(
    server: ContentTreeServer, published: Path, cache: ContentCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = _Proxy()
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://town:s3cret%21@127.0.0.1:{proxy.server_address[1]}")
        client = ContentApiClient(SyncSettings(api_url=server.url, token="t0ken"))
        result = sync_once(cache, client, now=lambda: NOW)
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert result.outcome == Outcome.UPDATED, result.message
    media = _media(published)
    _assert_store_holds(cache.store, media)
    assert sorted(url for url, _, _ in proxy.seen) == sorted(
        [f"{server.url}/v1/manifest.json"] + [f"{server.url}/v1/media/{m['sha256']}" for m in media])
    assert {(proxy_auth, auth) for _, proxy_auth, auth in proxy.seen} == {("Basic dG93bjpzM2NyZXQh", "Bearer t0ken")}


class _Recorder(BaseHTTPRequestHandler):
    """``/v1/media/<sha>`` answers 302 to the other server (``localhost``, another host
    name); ``/cdn/<sha>`` answers the body. Every request is recorded with its token."""

    protocol_version = "HTTP/1.1"
    body = b"poster bytes from the town's file host"
    seen: list[tuple[str, str | None]] = []
    other = ""

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append((self.path, self.headers.get("Authorization")))
        if self.path.startswith("/v1/media/"):
            self.send_response(302)
            self.send_header("Location", f"{self.other}/cdn/{self.path.rsplit('/', 1)[1]}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_redirected_media_file_is_fetched_without_the_token_going_to_the_other_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "*")
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Recorder) for _ in range(2)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    _Recorder.seen = []
    _Recorder.other = f"http://localhost:{servers[1].server_address[1]}"
    try:
        sha = hashlib.sha256(_Recorder.body).hexdigest()
        client = ContentApiClient(SyncSettings(api_url=f"http://127.0.0.1:{servers[0].server_address[1]}",
                                               token="t0ken"))
        stored = client.download_media(MediaStore(tmp_path / "media"), sha, len(_Recorder.body))
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
    assert stored.path.read_bytes() == _Recorder.body
    assert _Recorder.seen == [(f"/v1/media/{sha}", "Bearer t0ken"), (f"/cdn/{sha}", None)]

from __future__ import annotations

import hashlib
import http.client
from pathlib import Path

import pytest
import requests

from hub.refserver import ContentTreeServer


@pytest.fixture
def media(published: Path) -> tuple[str, bytes]:
    f = sorted((published / "v1" / "media").iterdir())[0]
    return f.name, f.read_bytes()


def test_manifest_has_a_strong_etag_and_answers_304(server: ContentTreeServer, published: Path) -> None:
    r = requests.get(f"{server.url}/v1/manifest.json")
    body = (published / "v1" / "manifest.json").read_bytes()
    assert r.status_code == 200 and r.content == body
    etag = r.headers["ETag"]
    assert etag == f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    r2 = requests.get(f"{server.url}/v1/manifest.json", headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b""
    r3 = requests.get(f"{server.url}/v1/manifest.json", headers={"If-None-Match": '"other"'})
    assert r3.status_code == 200


@pytest.mark.parametrize(
    "range_header, start, end",
    [("bytes=0-9", 0, 9), ("bytes=100-", 100, None), ("bytes=-50", -50, None)],
)
def test_media_ranges_answer_206(server: ContentTreeServer, media, range_header, start, end) -> None:
    sha, data = media
    r = requests.get(f"{server.url}/v1/media/{sha}", headers={"Range": range_header})
    assert r.status_code == 206
    expected = data[start:] if end is None else data[start:end + 1]
    assert r.content == expected
    first = start if start >= 0 else len(data) + start
    assert r.headers["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(data)}"


def test_range_past_the_end_is_416_and_stale_if_range_gets_the_whole_file(server, media) -> None:
    sha, data = media
    r = requests.get(f"{server.url}/v1/media/{sha}", headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["Content-Range"] == f"bytes */{len(data)}"
    r = requests.get(f"{server.url}/v1/media/{sha}", headers={"Range": "bytes=5-", "If-Range": '"old"'})
    assert r.status_code == 200 and r.content == data


@pytest.mark.parametrize(
    "path",
    ["/v1/media/../manifest.json", "/v1/media/" + "0" * 64, "/etc/passwd", "/v1/", "/v1/media/%2e%2e%2fmanifest.json"],
)
def test_only_the_manifest_and_existing_media_are_served(server: ContentTreeServer, path: str) -> None:
    # http.client sends the path as written (requests would normalise the dots away)
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    assert resp.status == 404 and resp.read() == b""
    conn.close()


def test_requests_are_recorded(server: ContentTreeServer, media) -> None:
    sha, data = media
    server.take_records()
    requests.get(f"{server.url}/v1/media/{sha}")
    recs = server.take_records()
    assert [(r.method, r.path, r.status, r.bytes_sent) for r in recs] == [
        ("GET", f"/v1/media/{sha}", 200, len(data))
    ]


def test_a_device_resetting_its_connection_is_no_traceback_on_the_console(
    server: ContentTreeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket
    import struct
    import time

    s = socket.create_connection(server.server_address[:2])
    s.sendall(b"GET /v1/manifest.json HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)  # the answer sits unread: closing now sends a reset, as a killed device does
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    time.sleep(0.5)
    assert server.take_records()[0].status == 200
    assert "Traceback" not in capsys.readouterr().err

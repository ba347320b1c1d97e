"""`kiosk serve DIR`: the reference content API server for a published tree.

It serves exactly what a static web server or CDN would: the manifest with a strong
ETag (``If-None-Match`` → 304) and media by content address with byte ranges
(``Range`` → 206, ``If-Range`` honoured). Only ``/v1/manifest.json`` and
``/v1/media/<sha256>`` exist; nothing else of the folder is reachable.
"""
from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import re
import socket
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

log = logging.getLogger(__name__)

_MEDIA_RE = re.compile(r"^/v1/media/([0-9a-f]{64})$")
_EVENTS_RE = re.compile(r"^/v1/devices/([a-z0-9][a-z0-9_-]{0,63})/events$")
_DEVICE_MANIFEST_RE = re.compile(r"^/v1/devices/([a-z0-9][a-z0-9_-]{0,63})/manifest\.json$")
MAX_EVENTS_BODY = 4 * 1024 * 1024
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int
    bytes_sent: int


class ContentTreeServer(ThreadingHTTPServer):
    """HTTP server over a published tree; records each request for tests and benchmarks."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0, *, accept_events: bool = False) -> None:
        self.root = Path(root)
        self.accept_events = accept_events
        self._seen_keys: set[str] = set()
        self.records: list[RequestRecord] = []
        self._lock = threading.Condition()
        self._in_flight = 0
        self._etag_cache: dict[str, tuple[tuple[int, int], str]] = {}
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):  # typeshed allows it; an AF_INET server's host is a str
            host = host.decode()
        return f"http://{host}:{port}"

    def begin_request(self) -> None:
        with self._lock:
            self._in_flight += 1

    def record(self, rec: RequestRecord) -> None:
        with self._lock:
            self.records.append(rec)
            self._in_flight -= 1
            self._lock.notify_all()

    def take_records(self, settle_s: float = 2.0) -> list[RequestRecord]:
        """Records so far, after letting requests in flight finish (a client may have
        read the last byte before the server thread wrote its record)."""
        with self._lock:
            self._lock.wait_for(lambda: self._in_flight <= 0, timeout=settle_s)
            out, self.records = self.records, []
        return out

    def store_events(self, device: str, events: list[dict]) -> tuple[int, int]:
        """Append new events to ``events/<device>.jsonl``; a known key is a duplicate."""
        accepted = duplicates = 0
        with self._lock:
            out_dir = self.root / "events"
            out_dir.mkdir(exist_ok=True)
            with (out_dir / f"{device}.jsonl").open("a", encoding="utf-8") as f:
                for e in events:
                    key = f"{device}/{e.get('key')}"
                    if key in self._seen_keys:
                        duplicates += 1
                        continue
                    self._seen_keys.add(key)
                    f.write(json.dumps(e, ensure_ascii=False) + "\n")
                    accepted += 1
        return accepted, duplicates

    def manifest_etag(self, path: Path) -> str:
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        cached = self._etag_cache.get(str(path))
        if cached is None or cached[0] != key:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
            cached = self._etag_cache[str(path)] = (key, f'"{digest}"')
        return cached[1]

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: tuple[str, int]) -> None:
        # A device that went away between two requests (rebooted, killed) resets its
        # connection: a line in the debug log, not a traceback on the console.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            log.debug("%s:%d closed the connection", *client_address[:2])
            return
        super().handle_error(request, client_address)

    def start_background(self) -> ContentTreeServer:
        self._thread = threading.Thread(target=self.serve_forever, name="content-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    server: ContentTreeServer
    protocol_version = "HTTP/1.1"
    server_version = "town-kiosk-refserver"

    def log_message(self, fmt: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), fmt % args)

    def do_HEAD(self) -> None:
        self.server.begin_request()
        self._serve(head=True)

    def do_GET(self) -> None:
        self.server.begin_request()
        self._serve(head=False)

    def do_POST(self) -> None:
        self.server.begin_request()
        m = _EVENTS_RE.match(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if not m or not self.server.accept_events:
            self.rfile.read(min(length, MAX_EVENTS_BODY))
            return self._reply_empty(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})
        if length > MAX_EVENTS_BODY:
            return self._reply_empty(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            events = json.loads(self.rfile.read(length))["events"]
            assert isinstance(events, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            return self._reply_empty(HTTPStatus.BAD_REQUEST)
        accepted, duplicates = self.server.store_events(m.group(1), events)
        body = json.dumps({"accepted": accepted, "duplicates": duplicates}).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.record(RequestRecord("POST", self.path, 200, len(body)))

    def _reply_empty(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.record(RequestRecord(self.command, self.path, status, 0))

    def _serve(self, head: bool) -> None:
        path = self.path.split("?", 1)[0]
        root = self.server.root / "v1"
        device = _DEVICE_MANIFEST_RE.match(path)
        if path == "/v1/manifest.json" or device:
            file = root / "manifest.json" if not device else root / "devices" / device.group(1) / "manifest.json"
            if not file.is_file():
                return self._reply_empty(HTTPStatus.NOT_FOUND)
            etag = self.server.manifest_etag(file)
            inm = self.headers.get("If-None-Match")
            if inm and etag in [t.strip() for t in inm.split(",")]:
                return self._reply_empty(HTTPStatus.NOT_MODIFIED, {"ETag": etag})
            return self._send_file(file, "application/json", etag, head, allow_range=False)
        m = _MEDIA_RE.match(path)
        if m:
            file = root / "media" / m.group(1)
            if not file.is_file():
                return self._reply_empty(HTTPStatus.NOT_FOUND)
            return self._send_file(
                file, "application/octet-stream", f'"{m.group(1)}"', head, allow_range=True,
                immutable=True,
            )
        return self._reply_empty(HTTPStatus.NOT_FOUND)

    def _send_file(
        self, file: Path, ctype: str, etag: str, head: bool, *, allow_range: bool,
        immutable: bool = False,
    ) -> None:
        st = file.stat()
        size = st.st_size
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        ims = self.headers.get("If-Modified-Since")
        if immutable and ims and not self.headers.get("Range"):
            try:
                if int(st.st_mtime) <= email.utils.parsedate_to_datetime(ims).timestamp():
                    return self._reply_empty(HTTPStatus.NOT_MODIFIED, {"ETag": etag, "Last-Modified": last_modified})
            except (TypeError, ValueError):
                pass
        start, end = 0, size - 1
        status = HTTPStatus.OK
        rng = self.headers.get("Range") if allow_range else None
        if_range = self.headers.get("If-Range")
        if rng and (if_range is None or if_range.strip() == etag):
            m = _RANGE_RE.match(rng.strip())
            if m and (m.group(1) or m.group(2)):
                if m.group(1):
                    start = int(m.group(1))
                    end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                else:
                    start = max(0, size - int(m.group(2)))
                if start >= size or start > end:
                    return self._reply_empty(
                        HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {"Content-Range": f"bytes */{size}"}
                    )
                status = HTTPStatus.PARTIAL_CONTENT
        length = end - start + 1 if size else 0
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        if allow_range:
            self.send_header("Accept-Ranges", "bytes")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header(
            "Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache"
        )
        self.end_headers()
        sent = 0
        if not head and length:
            with file.open("rb") as f:
                f.seek(start)
                remaining = length
                try:
                    while remaining > 0:
                        chunk = f.read(min(_CHUNK, remaining))
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                        sent += len(chunk)
                        remaining -= len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
        self.server.record(RequestRecord(self.command, self.path, int(status), sent))

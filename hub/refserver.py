"""`kiosk serve DIR`: the reference content API server for a published tree.

It serves exactly what a static web server or CDN would: the manifest with a strong
ETag (``If-None-Match`` → 304) and media by content address with byte ranges
(``Range`` → 206, ``If-Range`` honoured), by :mod:`hub.tree_http`, which the hub shares. Only ``/v1/manifest.json`` and
``/v1/media/<sha256>`` exist; nothing else of the folder is reachable.
"""
from __future__ import annotations

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

from .tree_http import ManifestEtags, body, locate, plan

log = logging.getLogger(__name__)

_EVENTS_RE = re.compile(r"^/v1/devices/([a-z0-9][a-z0-9_-]{0,63})/events$")
MAX_EVENTS_BODY = 4 * 1024 * 1024


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
        self.etags = ManifestEtags()
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{port}"

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
        return self.etags.etag(path)

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket],
                     client_address: tuple[str, int]) -> None:
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
        file = locate(self.server.root, path, self.server.etags)
        if file is None:
            return self._reply_empty(HTTPStatus.NOT_FOUND)
        answer = plan(file, self.headers.get)
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        sent = 0
        if not head:
            try:
                for chunk in body(answer):
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        self.server.record(RequestRecord(self.command, self.path, answer.status, sent))

"""A web server on 127.0.0.1 that plays the town's data providers from fixtures in their real
formats (a WordPress feed, an ICS agenda, OpenAgenda's API, the Annuaire, Météo-France …).

Each path answers a fixture with its content type, an ETag and conditional GET (304), like
the real services; a path can be given a fault: an HTTP status, a wrong content type, a
hang, a body larger than any limit, a gzip bomb, or other bytes. Every request is recorded.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLACEHOLDER = b"http://127.0.0.1:PORT"


@dataclass
class Route:
    body: bytes | Callable[[dict[str, list[str]], dict[str, str]], tuple[int, bytes]]
    content_type: str
    gzip: bool = False
    last_modified: str | None = None


@dataclass(frozen=True)
class Hit:
    path: str
    query: str
    status: int
    conditional: bool
    headers: dict[str, str] = field(default_factory=dict)


class SourceServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.faults: dict[str, str] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.release = threading.Event()  # ends hanging answers
        super().__init__(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()

    def serve(self, path: str, body: bytes | str | Path, content_type: str, **kw: object) -> str:
        """Answer ``path`` with ``body`` (a fixture file name, a Path or bytes); returns its URL."""
        if isinstance(body, str):
            body = (FIXTURES / body).read_bytes()
        elif isinstance(body, Path):
            body = body.read_bytes()
        body = body.replace(PLACEHOLDER, self.url.encode())
        self.routes[path] = Route(body, content_type, **kw)  # type: ignore[arg-type]
        return self.url + path

    def serve_dynamic(self, path: str, answer: Callable[[dict[str, list[str]], dict[str, str]], tuple[int, bytes]],
                      content_type: str) -> str:
        self.routes[path] = Route(answer, content_type)
        return self.url + path

    def fault(self, path: str, kind: str | None) -> None:
        """``"500"``/``"404"``…, ``"html"`` (200 text/html), ``"hang"``, ``"huge"`` (100 MB),
        ``"bomb"`` (a gzip bomb), ``"lie-length"``; None clears it."""
        with self.lock:
            if kind is None:
                self.faults.pop(path, None)
            else:
                self.faults[path] = kind

    def take_hits(self) -> list[Hit]:
        with self.lock:
            out, self.hits = self.hits, []
        return out


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """~200 kB of gzip that inflates to 200 MB of zeros (made once)."""
    global _BOMB
    if _BOMB is None:
        c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        chunk = b"\0" * (1 << 20)
        _BOMB = b"".join(c.compress(chunk) for _ in range(200)) + c.flush()
    return _BOMB


class _Handler(BaseHTTPRequestHandler):
    server: SourceServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _record(self, status: int) -> None:
        u = urlsplit(self.path)
        with self.server.lock:
            self.server.hits.append(Hit(u.path, u.query, status,
                                        "If-None-Match" in self.headers or "If-Modified-Since" in self.headers,
                                        {k.lower(): v for k, v in self.headers.items()}))

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self._record(status)  # before answering: the client cannot see the answer before the hit is counted
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one branch per fault, kept together
        u = urlsplit(self.path)
        route = self.server.routes.get(u.path)
        fault = self.server.faults.get(u.path)
        if route is None:
            self._send(404, b"not found", "text/plain")
            return
        if fault and fault.isdigit():
            self._send(int(fault), f"<html><body>Error {fault}</body></html>".encode(), "text/html; charset=utf-8")
            return
        if fault == "hang":
            self._record(0)
            self.server.release.wait(60)
            return
        if fault == "html":
            self._send(200, b"<!DOCTYPE html><html><body>Se connecter</body></html>", "text/html; charset=utf-8")
            return
        if fault == "huge":
            self._record(200)
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.end_headers()  # no length: streamed until the client stops reading
            self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
            try:
                for _ in range(100):  # 100 MB
                    self.wfile.write(b"x" * (1 << 20))
            except OSError:
                pass
            self.close_connection = True
            return
        if fault == "bomb":
            self._send(200, gzip_bomb(), route.content_type, {"Content-Encoding": "gzip"})
            return
        if callable(route.body):
            query = parse_qs(u.query)
            status, body = route.body(query, {k.lower(): v for k, v in self.headers.items()})
            if status != 200:
                self._send(status, body, "application/json")
                return
        else:
            body = route.body
        etag = _etag(body)
        if self.headers.get("If-None-Match") == etag:
            self._record(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        headers = {"ETag": etag}
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, route.content_type, headers)

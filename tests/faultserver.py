"""A content API server on 127.0.0.1 that injects faults, for sync tests.

It serves a published tree like the reference server, but each path can be given a
queue of faults consumed one per request: an HTTP status (with headers such as
Retry-After), a connection reset mid-body, a truncated body, wrong bytes, an empty 200,
a slow drip, a server that ignores Range. Every request is recorded.
"""
from __future__ import annotations

import hashlib
import re
import socket
import struct
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class Fault:
    kind: str  # status | reset | truncate | corrupt | empty | drip | ignore_range | etag
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    after_bytes: int = 0
    rate: float = 0.0  # bytes per second, for drip


def status(code: int, **headers: str) -> Fault:
    return Fault("status", status=code, headers={k.replace("_", "-"): v for k, v in headers.items()})


def reset(after_bytes: int) -> Fault:
    return Fault("reset", after_bytes=after_bytes)


def truncate(after_bytes: int) -> Fault:
    return Fault("truncate", after_bytes=after_bytes)


CORRUPT = Fault("corrupt")
EMPTY = Fault("empty")
IGNORE_RANGE = Fault("ignore_range")


def drip(rate: float) -> Fault:
    return Fault("drip", rate=rate)


def etag(value: str) -> Fault:
    return Fault("etag", headers={"ETag": value})


@dataclass(frozen=True)
class Hit:
    path: str
    status: int
    range: str | None
    bytes_sent: int
    fault: str | None
    authorization: str | None = None


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.always: dict[str, Fault] = {}
        self.media_rate: float | None = None  # bytes/s for every media body, when set
        # (arrival number, hit): a hit is recorded when its request ends, and on a busy
        # machine the thread that served a request may record it after the next request
        # (sent once the first answer came) has ended: take_hits sorts them by arrival
        self.hits: list[tuple[int, Hit]] = []
        self.lock = threading.Condition()
        self.in_flight = 0
        self.arrivals = 0
        self.stopping = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def inject(self, path: str, *faults: Fault) -> None:
        with self.lock:
            self.faults[path].extend(faults)

    def inject_always(self, path: str, fault: Fault) -> None:
        with self.lock:
            self.always[path] = fault

    def next_fault(self, path: str) -> Fault | None:
        with self.lock:
            q = self.faults.get(path)
            if q:
                return q.popleft()
            return self.always.get(path)

    def add_hit(self, arrival: int, hit: Hit) -> None:
        with self.lock:
            self.hits.append((arrival, hit))
            self.in_flight -= 1
            self.lock.notify_all()

    def take_hits(self, settle_s: float = 5.0) -> list[Hit]:
        """Hits so far in the order their requests arrived, once the requests in flight
        have ended (a drip the client gave up on ends when the server notices the closed
        connection)."""
        with self.lock:
            self.lock.wait_for(lambda: self.in_flight <= 0, timeout=settle_s)
            out, self.hits = self.hits, []
        return [hit for _, hit in sorted(out, key=lambda x: x[0])]

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return  # a client killed mid-request (the SIGKILL rounds): not the server's fault
        super().handle_error(request, client_address)  # type: ignore[arg-type]  # socketserver's own types

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: C901 - one branch per fault, on purpose
        with self.server.lock:
            self.server.in_flight += 1
            arrival = self.server.arrivals
            self.server.arrivals += 1
        path = self.path
        fault = self.server.next_fault(path)
        rng = self.headers.get("Range")
        auth = self.headers.get("Authorization")

        def hit(status: int, sent: int) -> None:
            self.server.add_hit(arrival, Hit(path, status, rng, sent, fault.kind if fault else None, auth))

        if path == "/v1/manifest.json" or re.match(r"^/v1/devices/[a-z0-9_-]+/manifest\.json$", path) or re.match(r"^/v1/media/[0-9a-f]{64}$", path):
            file = self.server.root / path.lstrip("/")
        else:
            file = None
        if fault and fault.kind == "status":
            self.send_response(fault.status)
            for k, v in fault.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return hit(fault.status, 0)
        if fault is None and self.server.media_rate and path.startswith("/v1/media/"):
            fault = drip(self.server.media_rate)
        if file is None or not file.is_file():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return hit(404, 0)

        data = file.read_bytes()
        tag = f'"{hashlib.sha256(data).hexdigest()[:16]}"'
        if fault and fault.kind == "etag":
            tag = fault.headers["ETag"]
        if path.endswith("manifest.json"):
            inm = self.headers.get("If-None-Match")
            if inm and inm == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return hit(304, 0)
        body, code, extra = data, 200, {}
        m = re.match(r"^bytes=(\d+)-$", rng or "")
        if m and not (fault and fault.kind == "ignore_range"):
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return hit(416, 0)
            body, code = data[start:], 206
            extra["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        if fault and fault.kind == "corrupt":
            body = bytes((b + 1) % 256 for b in body)
        if fault and fault.kind == "empty":
            body = b""
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", tag)
        self.send_header("Accept-Ranges", "bytes")
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        sent = 0
        try:
            if fault and fault.kind in ("reset", "truncate"):
                self.wfile.write(body[: fault.after_bytes])
                self.wfile.flush()
                sent = min(len(body), fault.after_bytes)
                if fault.kind == "reset":
                    time.sleep(0.2)  # let the client read what was sent before the RST
                    # SO_LINGER 0: close() sends a TCP RST instead of a clean FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
            elif fault and fault.kind == "drip":
                step = max(1, int(fault.rate / 10))
                for i in range(0, len(body), step):
                    if self.server.stopping.is_set():
                        break
                    self.wfile.write(body[i:i + step])
                    self.wfile.flush()
                    sent += len(body[i:i + step])
                    time.sleep(step / fault.rate)
            else:
                self.wfile.write(body)
                sent = len(body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        hit(code, sent)

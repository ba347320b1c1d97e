"""The reference content server, plus the optional device registration endpoint.

``ContentTreeServer`` (kiosk serve) answers 405 to a registration, like a static host;
:class:`RegisteringServer` is the same server with ``POST /v1/devices/<id>/register``
answered with ``register_status`` and each request recorded.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from hub.refserver import ContentTreeServer, RequestRecord, _Handler

_REGISTER_RE = re.compile(r"^/v1/devices/([a-z0-9][a-z0-9_-]{0,63})/register$")


class _RegisterHandler(_Handler):
    server: RegisteringServer

    def do_POST(self) -> None:
        m = _REGISTER_RE.match(self.path)
        if not m:
            return super().do_POST()
        self.server.begin_request()
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.server.registrations.append((m.group(1), self.headers.get("Authorization"), body))
        self.send_response(self.server.register_status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.record(RequestRecord("POST", self.path, self.server.register_status, 0))


class RegisteringServer(ContentTreeServer):
    def __init__(self, root: Path, register_status: int = 201) -> None:
        super().__init__(root, "127.0.0.1", 0)
        self.RequestHandlerClass = _RegisterHandler
        self.register_status = register_status
        self.registrations: list[tuple[str, str | None, dict]] = []

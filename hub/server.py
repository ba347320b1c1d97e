"""Running the hub: gunicorn in production, werkzeug's server for ``--dev`` and tests.

Gunicorn's master (the ``kiosk hub serve`` process) forks workers; each worker calls
:func:`hub.web.create_app` once (its own database engine), with ``gthread`` workers so a
slow device download does not hold a whole worker. Gunicorn tells systemd READY=1 itself
when NOTIFY_SOCKET is set (``Type=notify`` in systemd/kiosk-hub.service).
"""
from __future__ import annotations

import gc
import logging
import threading
from dataclasses import dataclass
from typing import Any

from hub.settings import HubSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    threads: int = 8
    timeout_s: int = 120
    access_log: bool = False


def run_gunicorn(settings: HubSettings, options: ServeOptions) -> None:
    from gunicorn.app.base import BaseApplication

    class HubApplication(BaseApplication):
        def load_config(self) -> None:
            cfg: dict[str, Any] = {
                "bind": [f"{options.host}:{options.port}"],
                "workers": options.workers,
                "threads": options.threads,
                "worker_class": "gthread",
                "timeout": options.timeout_s,
                "graceful_timeout": 20,
                "keepalive": 30,  # devices poll through a keep-alive connection
                "proc_name": "kiosk-hub",
                "errorlog": "-",
                "accesslog": "-" if options.access_log else None,
                "forwarded_allow_ips": "127.0.0.1,::1",  # a reverse proxy on this machine may say https
                "limit_request_line": 4094,
            }
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 27+: no gunicornc socket in $HOME
                cfg["control_socket_disable"] = True
            for key, value in cfg.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from hub.web import create_app

            app = create_app(settings)
            freeze_startup_objects()
            return app

    HubApplication().run()


def freeze_startup_objects() -> None:
    """In a worker, once its app is made: what exists now (modules, the app, SQLAlchemy's
    mappers: ~100,000 objects) lives as long as the worker, so the cycle collector stops
    looking at it. Its full passes, which otherwise stop every thread of the worker for
    tens of milliseconds a few times a minute under load, look at newer objects only."""
    gc.collect()
    gc.freeze()


class DevServer:
    """werkzeug's threaded server in a thread of this process (tests, ``--dev``)."""

    def __init__(self, settings: HubSettings, host: str = "127.0.0.1", port: int = 0, app: Any = None) -> None:
        from werkzeug.serving import make_server

        from hub.web import create_app

        self.app = app or create_app(settings)
        self.server = make_server(host, port, self.app, threaded=True)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def start(self) -> DevServer:
        self.thread = threading.Thread(target=self.server.serve_forever, name="hub-dev-server", daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread:
            self.thread.join(5)

"""A real nginx (Debian's /usr/sbin/nginx) serving a folder on 127.0.0.1, for tests.

Started with its own prefix, config and logs in a temporary folder; its worker process runs
as ``nobody``, so it reads the served files the way a web server of another user does: by
their modes, not as their owner. The access log records ``status request`` per line.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Nginx:
    """``with Nginx(root, work) as web:`` serves ``root`` at ``web.url``."""

    def __init__(self, root: Path, work: Path, user: str = "nobody") -> None:
        self.root = root
        self.work = work
        self.user = user
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = work / "access.log"
        self.error_log = work / "error.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def _config(self) -> str:
        w = self.work
        return f"""
daemon off;
master_process on;
worker_processes 1;
user {self.user} nogroup;
pid {w}/nginx.pid;
error_log {self.error_log} warn;
events {{ worker_connections 64; }}
http {{
    types {{ application/json json; }}
    default_type application/octet-stream;
    log_format status '$status $request';
    access_log {self.access_log} status;
    client_body_temp_path {w}/client_body;
    proxy_temp_path {w}/proxy;
    fastcgi_temp_path {w}/fastcgi;
    uwsgi_temp_path {w}/uwsgi;
    scgi_temp_path {w}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.root};
    }}
}}
"""

    def __enter__(self) -> Nginx:
        self.work.mkdir(parents=True, exist_ok=True)
        conf = self.work / "nginx.conf"
        conf.write_text(self._config())
        self.proc = subprocess.Popen([str(NGINX), "-p", str(self.work), "-c", str(conf), "-e", str(self.error_log)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}"
                                   f"{self.error_log.read_text() if self.error_log.exists() else ''}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("nginx did not listen within 10 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: the workers end with the master
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                for pid in self._worker_pids():
                    os.kill(pid, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait(5)

    def requests(self) -> list[tuple[int, str]]:
        """(status, "GET /path HTTP/1.1") per request, in order."""
        if not self.access_log.exists():
            return []
        out = []
        for line in self.access_log.read_text().splitlines():
            status, _, request = line.partition(" ")
            out.append((int(status), request))
        return out

    def _workers(self) -> dict[int, int]:
        """pid → uid of nginx's worker processes (the master's children, from /proc)."""
        assert self.proc is not None
        found = {}
        for task in Path("/proc").iterdir():
            if not task.name.isdigit():
                continue
            try:
                status = (task / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(self.proc.pid):
                found[int(task.name)] = int(fields["Uid"].split()[0])
        return found

    def _worker_pids(self) -> list[int]:
        return list(self._workers())

    def worker_users(self) -> set[str]:
        """The users nginx's worker processes run as."""
        import pwd

        return {pwd.getpwuid(uid).pw_name for uid in self._workers().values()}

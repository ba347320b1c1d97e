"""Real devices for the hub's end-to-end tests: each enrolled with `kiosk provision
--enrol`, synced once, then a headless player (small and quick) and a `kiosk sync` daemon,
all subprocesses of this machine; and the hub itself under gunicorn (`kiosk hub serve`)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ..e2e.device import run_kiosk, start_player


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class HubProcess:
    url: str
    data: Path
    proc: subprocess.Popen
    log: Path

    def hub(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kiosk", "hub", *args, "--data", str(self.data)],
                              input=stdin, capture_output=True, text=True, timeout=60, env=_env())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_hub_process(tmp: Path, content: Path, *extra: str) -> HubProcess:
    port = free_port()
    data = tmp / "hub"
    log = tmp / "hub.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "hub", "serve", "--content", str(content), "--data", str(data),
             "--port", str(port), "--workers", "2", "--threads", "4", "--insecure-cookies", *extra],
            stdout=out, stderr=subprocess.STDOUT, env=_env())
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return HubProcess(url, data, proc, log)
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"the hub did not start: {log.read_text()[-3000:]}")


@dataclass
class Device:
    device_id: str
    root: Path
    player: subprocess.Popen | None = None
    daemon: subprocess.Popen | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.root / "kiosk.toml"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def start_player(self, size: str = "320x180") -> None:
        self.player = start_player(self.data, "--config", str(self.config), "--size", size,
                                   "--max-slide-seconds", "3", env={"SDL_VIDEODRIVER": "offscreen"})

    def start_daemon(self, interval: float = 1.0) -> None:
        log = self.root / "sync.log"
        self.logs.append(log)
        with log.open("w") as out:
            self.daemon = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "sync", "--config", str(self.config), "--interval", str(interval)],
                stdout=out, stderr=subprocess.STDOUT, env=_env())

    def stop_daemon(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            self.daemon.wait(20)

    def stop(self) -> None:
        for proc in (self.daemon, self.player):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def enrol_device(hub: HubProcess, tmp: Path, device_id: str, place: str) -> Device:
    """`kiosk hub enrol-code` on the hub, `kiosk provision --enrol` and one sync on the device."""
    r = hub.hub("enrol-code", "--device", device_id, "--place", place)
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip()
    dev = Device(device_id, tmp / device_id)
    dev.root.mkdir(parents=True)
    r = run_kiosk("provision", "--config", str(dev.config), "--api", hub.url, "--enrol", code,
                  "--data-dir", str(dev.data), "--user", "nobody-here")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"enrolled with {hub.url} as {device_id}" in r.stdout
    with dev.config.open("a", encoding="utf-8") as f:
        f.write(f'\n[monitoring]\nscreenshot_interval = 60\nscreenshot_width = 320\n'
                f'textfile_dir = "{dev.root / "textfile"}"\n')
    (dev.root / "textfile").mkdir()
    r = run_kiosk("sync", "--once", "--config", str(dev.config))
    assert r.returncode == 0, r.stderr
    return dev

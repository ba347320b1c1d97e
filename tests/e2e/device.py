"""A device for end-to-end tests: content published, served, synced through the real CLI,
and a headless player subprocess driven through its control socket."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from hub.refserver import ContentTreeServer
from kiosk.device.control import ControlError, call, socket_path


def run_kiosk(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("DISPLAY", None)
    full_env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def synced_device(tmp_path: Path, src: Path) -> Path:
    """Publish ``src``, serve it on 127.0.0.1, sync a device from it, stop the server."""
    tree, data = tmp_path / "tree", tmp_path / "device"
    r = run_kiosk("publish", str(src), str(tree))
    assert r.returncode == 0, r.stderr
    server = ContentTreeServer(tree).start_background()
    try:
        r = run_kiosk("sync", "--once", "--api", server.url, "--data", str(data))
        assert r.returncode == 0, r.stderr
    finally:
        server.stop()
    return data


def start_player(data: Path, *args: str, env: dict[str, str] | None = None,
                 stderr: int = subprocess.DEVNULL) -> subprocess.Popen:
    """A headless player on ``data``; returns once its control socket answers."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    full_env.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "player", "--data", str(data), "--headless", *args],
                            env=full_env, stdout=subprocess.DEVNULL, stderr=stderr)
    sock = socket_path(data)
    end = time.monotonic() + 20
    while not sock.exists() and time.monotonic() < end and proc.poll() is None:
        time.sleep(0.1)
    return proc


# What the player's device services (display power, hotplug, USB import) add to its status.
SERVICES_STATUS = frozenset({"display_power", "hotplug", "usb_import"})


def wait_for_services(data: Path, proc: subprocess.Popen, timeout: float = 20) -> None:
    """Returns once the player's device services run: they start after the first frame,
    once their imports are done (seconds after it on a busy machine); until then its
    status says ``device_services: starting`` and has no display power, hotplug or USB
    import part. Returns anyway after
    ``timeout`` or if the player exits (the caller's checks then say what is missing)."""
    sock = socket_path(data)
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        try:
            if call(sock, "status", timeout=5).keys() >= SERVICES_STATUS:
                return
        except (ControlError, OSError, ValueError):  # not listening yet, or going away
            pass
        time.sleep(0.1)

"""`kiosk provision` run as a technician would (the real command in a child process),
into a temporary root, against a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.refserver import ContentTreeServer
from kiosk import __version__
from kiosk.config import load_config

from .servers import RegisteringServer

TOKEN = "tk-5f2a9c81e0"


def kiosk(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          input=stdin, timeout=60)


@pytest.fixture
def reg_server(published: Path) -> Iterator[RegisteringServer]:
    srv = RegisteringServer(published).start_background()
    yield srv
    srv.stop()


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    f = tmp_path / "token.txt"
    f.write_text(TOKEN + "\n")
    return f


def _args(root: Path, api: str, token_file: Path, *extra: str) -> list[str]:
    return ["provision", "--root", str(root), "--device-id", "totem-12", "--api", api,
            "--token-file", str(token_file), "--mode", "kiosk", "--orientation", "90",
            "--display-on", "06:30", "--display-off", "23:00", "--display-day", "sun=off", *extra]


def _mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.rglob("*"))}


def test_first_run_writes_everything_and_registers(tmp_path: Path, token_file: Path, reg_server) -> None:
    root = tmp_path / "root"
    done = kiosk(*_args(root, reg_server.url, token_file))
    assert done.returncode == 0, done.stderr
    cfg_path, token_path = root / "etc/kiosk/kiosk.toml", root / "etc/kiosk/api-token"
    assert done.stdout.splitlines() == [
        f"{root}/var/lib/kiosk: created",
        f"{token_path}: token created (mode 0600)",
        f'{cfg_path}: device.id = "totem-12" (new)',
        f'{cfg_path}: device.mode = "kiosk" (new)',
        f'{cfg_path}: api.url = "{reg_server.url}" (new)',
        f'{cfg_path}: api.token_file = "api-token" (new)',
        f'{cfg_path}: cache.dir = "/var/lib/kiosk" (new)',
        f"{cfg_path}: display.orientation = 90 (new)",
        f'{cfg_path}: display.on = "06:30" (new)',
        f'{cfg_path}: display.off = "23:00" (new)',
        f'{cfg_path}: display.week = {{sun = "off"}} (new)',
        f"registered with {reg_server.url} as totem-12",
    ]
    assert token_path.stat().st_mode & 0o777 == 0o600
    assert token_path.read_text() == TOKEN + "\n"
    assert (root / "var/lib/kiosk").stat().st_mode & 0o777 == 0o750
    cfg = load_config(cfg_path)
    assert (cfg.device.id, cfg.device.mode, cfg.display.orientation, cfg.api.token) == ("totem-12", "kiosk", 90, TOKEN)
    assert str(cfg.display.on) == "06:30:00" and cfg.display.week == ((6, False),)
    assert cfg.cache.dir == Path("/var/lib/kiosk")  # the device's path, not the test root's
    [(device, auth, body)] = reg_server.registrations
    assert device == "totem-12" and auth == f"Bearer {TOKEN}"
    assert body == {"device_id": "totem-12", "software_version": __version__, "hostname": os.uname().nodename}
    assert TOKEN not in done.stdout + done.stderr


def test_a_second_identical_run_changes_nothing_and_rewrites_nothing(
    tmp_path: Path, token_file: Path, reg_server,
) -> None:
    root = tmp_path / "root"
    assert kiosk(*_args(root, reg_server.url, token_file)).returncode == 0
    before = _mtimes(root)
    again = kiosk(*_args(root, reg_server.url, token_file))
    assert (again.returncode, again.stdout) == (0, "nothing to change\n")
    assert _mtimes(root) == before
    assert (root / "etc/kiosk/api-token").stat().st_mode & 0o777 == 0o600
    assert len(reg_server.registrations) == 2  # asked again, same answer: not a change
    assert TOKEN not in again.stdout + again.stderr


def test_one_changed_key_is_one_line_and_other_keys_are_kept(tmp_path: Path, token_file: Path, reg_server) -> None:
    root = tmp_path / "root"
    assert kiosk(*_args(root, reg_server.url, token_file)).returncode == 0
    cfg_path = root / "etc/kiosk/kiosk.toml"
    # a technician's own key, added by hand
    cfg_path.write_text(cfg_path.read_text() + "\n[sync]\ninterval = 120\n")
    done = kiosk("provision", "--root", str(root), "--mode", "hybrid", "--no-register")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f'{cfg_path}: device.mode = "hybrid" (was "kiosk")']
    cfg = load_config(cfg_path)
    assert (cfg.device.mode, cfg.sync.interval, cfg.device.id, cfg.api.token) == ("hybrid", 120.0, "totem-12", TOKEN)


def test_every_problem_is_shown_at_once_and_nothing_is_written(tmp_path: Path, token_file: Path) -> None:
    root = tmp_path / "root"
    done = kiosk("provision", "--root", str(root), "--device-id", "Totem 12", "--api", "ftp://x",
                 "--token-file", str(token_file), "--orientation", "45", "--display-on", "6h30",
                 "--display-day", "sat=08:00-08:00", "--timezone", "Europe/Pariss", "--no-register")
    assert done.returncode == 2 and done.stdout == ""
    cfg = root / "etc/kiosk/kiosk.toml"
    assert done.stderr.splitlines() == [
        f"kiosk: error: {cfg}: device.id: 'Totem 12' is not a device id (a-z, 0-9, '-', '_', up to 64)",
        f"kiosk: error: {cfg}: device.timezone: 'Europe/Pariss' is not a known time zone (e.g. Europe/Paris)",
        f"kiosk: error: {cfg}: api.url: 'ftp://x' is not an http(s) URL",
        f"kiosk: error: {cfg}: display.orientation: 45 is not one of 0, 90, 180, 270",
        f"kiosk: error: {cfg}: display.on: '6h30' is not a time of day HH:MM",
        f"kiosk: error: {cfg}: display.week: sat: '08:00-08:00' starts and ends at the same time",
        f"kiosk: error: {cfg}: display.off: missing (display.on is set; give both)",
        "kiosk: nothing was written",
    ]
    assert not root.exists()


def test_the_token_can_come_from_stdin_and_a_loose_mode_is_fixed(tmp_path: Path, token_file: Path) -> None:
    root = tmp_path / "root"
    first = kiosk("provision", "--root", str(root), "--device-id", "totem-3", "--token-stdin", "--no-register",
                  stdin=TOKEN + "\n")
    assert first.returncode == 0, first.stderr
    token_path = root / "etc/kiosk/api-token"
    token_path.chmod(0o644)
    fixed = kiosk("provision", "--root", str(root), "--no-register")
    assert fixed.stdout.splitlines() == [f"{token_path}: mode 0644 → 0600"]
    assert token_path.stat().st_mode & 0o777 == 0o600
    new = kiosk("provision", "--root", str(root), "--token-stdin", "--no-register", stdin="tk-new\n")
    assert new.stdout.splitlines() == [f"{token_path}: token written (mode 0600)"]
    assert load_config(root / "etc/kiosk/kiosk.toml").api.token == "tk-new"
    assert TOKEN not in first.stdout + first.stderr + new.stdout + new.stderr


def test_the_schedule_can_be_removed(tmp_path: Path, token_file: Path) -> None:
    root = tmp_path / "root"
    assert kiosk(*_args(root, "http://127.0.0.1:9", token_file, "--no-register")).returncode == 0
    done = kiosk("provision", "--root", str(root), "--no-display-schedule", "--no-register")
    cfg_path = root / "etc/kiosk/kiosk.toml"
    assert done.stdout.splitlines() == [
        f'{cfg_path}: display.on removed (was "06:30")',
        f'{cfg_path}: display.off removed (was "23:00")',
        f'{cfg_path}: display.week removed (was {{sun = "off"}})',
    ]
    cfg = load_config(cfg_path)
    assert (cfg.display.on, cfg.display.week, cfg.display.orientation) == (None, (), 90)


def test_a_static_host_without_registration_is_said_once(tmp_path: Path, token_file: Path, server: ContentTreeServer) -> None:
    root = tmp_path / "root"
    done = kiosk(*_args(root, server.url, token_file))
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == (
        f"register: {server.url} does not support device registration (HTTP 405); skipped")
    again = kiosk(*_args(root, server.url, token_file))
    assert (again.returncode, again.stdout) == (0, "nothing to change\n")


def test_a_refused_token_is_a_warning_and_exit_status_1(tmp_path: Path, token_file: Path, published: Path) -> None:
    srv = RegisteringServer(published, register_status=401).start_background()
    try:
        done = kiosk(*_args(tmp_path / "root", srv.url, token_file))
    finally:
        srv.stop()
    assert done.returncode == 1
    assert (f"kiosk: warning: register: {srv.url}/v1/devices/totem-12/register: HTTP 401, "
            "the API token was refused (check api.token_file)") in done.stderr.splitlines()
    assert (tmp_path / "root/etc/kiosk/kiosk.toml").is_file()  # the device is provisioned anyway


def test_an_unreachable_server_does_not_stop_provisioning(tmp_path: Path, token_file: Path) -> None:
    done = kiosk(*_args(tmp_path / "root", "http://127.0.0.1:9", token_file))
    assert done.returncode == 0
    assert "kiosk: warning: register: cannot reach http://127.0.0.1:9/v1/devices/totem-12/register" in done.stderr

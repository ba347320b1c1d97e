from __future__ import annotations

import shutil
import subprocess
import sys
from configparser import ConfigParser
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "systemd"


def _installed_copy(tmp_path: Path) -> list[Path]:
    """The units as installed, with ExecStart pointing at this checkout's `kiosk`."""
    kiosk = Path(sys.executable).parent / "kiosk"
    out = []
    for unit in sorted(UNITS.glob("*.service")):
        target = tmp_path / unit.name
        target.write_text(unit.read_text().replace("/usr/local/bin/kiosk", str(kiosk)))
        out.append(target)
    return out


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    units = _installed_copy(tmp_path)
    r = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True)
    complaints = [line for line in (r.stdout + r.stderr).splitlines() if str(tmp_path) in line]
    assert r.returncode == 0 and complaints == [], complaints


def _service(name: str) -> dict[str, str]:
    cp = ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    cp.read(UNITS / name)
    return dict(cp["Service"])


def test_player_unit_is_notify_with_watchdog_and_restart_and_device_access() -> None:
    s = _service("kiosk-player.service")
    assert s["Type"] == "notify" and s["Restart"] == "always"
    assert int(s["WatchdogSec"]) >= 10
    assert "AF_NETLINK" in s["RestrictAddressFamilies"] and "AF_INET" not in s["RestrictAddressFamilies"]
    assert "char-drm rw" in (UNITS / "kiosk-player.service").read_text()


def test_sync_unit_is_a_notify_daemon() -> None:
    s = _service("kiosk-sync.service")
    assert s["Type"] == "notify" and s["ExecStart"].endswith("kiosk sync")


def test_hub_unit_is_a_notify_service_under_its_own_user_with_its_state_directory() -> None:
    s = _service("kiosk-hub.service")
    assert s["Type"] == "notify" and s["Restart"] == "always"
    assert s["User"] == "kiosk-hub" and s["StateDirectory"] == "kiosk-hub"
    assert " hub serve " in s["ExecStart"] and "--host 127.0.0.1" in s["ExecStart"]
    assert s["ProtectSystem"] == "strict"


def test_sync_unit_may_write_the_node_exporter_textfile() -> None:
    assert "/var/lib/prometheus/node-exporter" in _service("kiosk-sync.service")["ReadWritePaths"]

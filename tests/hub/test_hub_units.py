"""The town's server units: the publish timer and the every-minute alert timer, verified by
systemd like the device units (tests/kiosk/test_systemd_units.py)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from configparser import ConfigParser
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "systemd"
PAIRS = ("kiosk-publish", "kiosk-alerts")


def _section(name: str, section: str) -> dict[str, str]:
    cp = ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    cp.read(UNITS / name)
    return dict(cp[section])


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_hub_timers_and_services_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    kiosk = Path(sys.executable).parent / "kiosk"
    units = []
    for pair in PAIRS:
        for suffix in (".service", ".timer"):
            target = tmp_path / f"{pair}{suffix}"
            target.write_text((UNITS / target.name).read_text().replace("/usr/local/bin/kiosk", str(kiosk)))
            units.append(str(target))
    r = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    complaints = [line for line in (r.stdout + r.stderr).splitlines() if str(tmp_path) in line]
    assert r.returncode == 0 and complaints == [], complaints


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_alerts_run_every_minute_and_the_publish_every_five() -> None:
    r = subprocess.run(["systemd-analyze", "calendar", "--iterations=3", "--base-time=2026-11-26 07:00:30 UTC",
                        _section("kiosk-alerts.timer", "Timer")["OnCalendar"]], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    nexts = [line.split(":", 1)[1].strip() for line in r.stdout.splitlines() if "Iter." in line or "Next elapse" in line]
    assert [n.split()[2] for n in nexts[:3]] == ["07:01:00", "07:02:00", "07:03:00"], r.stdout
    assert _section("kiosk-publish.timer", "Timer")["OnUnitActiveSec"] == "5min"


def test_each_timer_starts_its_oneshot_publish_with_the_state_outside_the_tree() -> None:
    for pair in PAIRS:
        timer, service = _section(f"{pair}.timer", "Timer"), _section(f"{pair}.service", "Service")
        assert timer["Unit"] == f"{pair}.service"
        assert service["Type"] == "oneshot"
        assert service["SuccessExitStatus"] == "8"  # published with stale sources is not a failed unit
        args = service["ExecStart"].split()
        assert args[:4] == ["/usr/local/bin/kiosk", "publish", "${KIOSK_CONTENT}", "${KIOSK_TREE}"]
        state = args[args.index("--state") + 1]
        assert state.startswith("/var/lib/kiosk-hub/") and service["StateDirectory"] == "kiosk-hub"
        assert "AF_INET" in service["RestrictAddressFamilies"]
    assert "--alerts-only" in _section("kiosk-alerts.service", "Service")["ExecStart"].split()
    assert "--alerts-only" not in _section("kiosk-publish.service", "Service")["ExecStart"].split()

"""The fleet playbook: syntax-checked, then run for real against localhost (local
connection) into a temporary root, twice — the second run must change nothing. The API
token comes from a real Ansible Vault file; the API is a real server on 127.0.0.1."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import load_config

from .servers import RegisteringServer

REPO = Path(__file__).resolve().parents[2]
ANSIBLE = REPO / "deploy" / "ansible"
TOKEN = "tk-fleet-8d1e"


def _tool(name: str) -> str:
    # the venv's own ansible first (setup.cfg's test extra), then the PATH's
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' brings ansible-core)")
    return found


@pytest.fixture
def ansible_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "ansible-home"
    (home / "tmp").mkdir(parents=True)
    # TMPDIR: the modules' own temporary files (the token hand-over) go there, not into
    # the /tmp that other test runs on this machine share
    return {**os.environ, "TMPDIR": str(home / "tmp"), "ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
            "ANSIBLE_REMOTE_TEMP": str(home / "remote-tmp"), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_ROLES_PATH": str(ANSIBLE / "roles"),
            "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}


@pytest.fixture
def reg_server(published: Path) -> Iterator[RegisteringServer]:
    srv = RegisteringServer(published).start_background()
    yield srv
    srv.stop()


def test_the_playbook_passes_syntax_check(ansible_env: dict[str, str]) -> None:
    done = subprocess.run([_tool("ansible-playbook"), "-i", str(ANSIBLE / "inventory.example.yml"),
                           str(ANSIBLE / "site.yml"), "--syntax-check"],
                          capture_output=True, text=True, env=ansible_env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def _recap(output: str) -> dict[str, int]:
    m = re.search(r"^localhost\s+:\s+(.*)$", output, re.MULTILINE)
    assert m, output
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}


@pytest.mark.timeout(400)
def test_the_playbook_provisions_localhost_into_a_temporary_root_and_is_idempotent(
    tmp_path: Path, ansible_env: dict[str, str], reg_server: RegisteringServer,
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    work = tmp_path / "play"
    work.mkdir()
    (work / "vault-pass").write_text("correct horse battery staple\n")
    vault = work / "vault.yml"
    vault.write_text(f"vault_kiosk_api_token: {TOKEN}\n")
    subprocess.run([_tool("ansible-vault"), "encrypt", str(vault), "--vault-password-file", str(work / "vault-pass")],
                   check=True, capture_output=True, env=ansible_env, timeout=60)
    assert TOKEN not in vault.read_text()  # really encrypted
    (work / "inventory.ini").write_text(
        f"[kiosks]\nlocalhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    extra = {
        "kiosk_root": str(root), "kiosk_src": str(REPO),
        "kiosk_bin": str(Path(sys.executable).parent / "kiosk"),
        "kiosk_command": [sys.executable, "-m", "kiosk"],
        # the steps that would change this machine itself are off; everything else runs
        "kiosk_manage_packages": False, "kiosk_manage_checkout": False, "kiosk_run_bootstrap": False,
        "kiosk_manage_user": False, "kiosk_manage_services": False,
        "kiosk_device_id": "totem-fleet-1", "kiosk_api_url": reg_server.url, "kiosk_mode": "hybrid",
        "kiosk_orientation": 180, "kiosk_display_on": "07:00", "kiosk_display_off": "22:30",
        "kiosk_display_days": {"sun": "off", "sat": "09:00-20:00"}, "kiosk_user": "root",
    }
    (work / "extra.json").write_text(json.dumps(extra))
    argv = [_tool("ansible-playbook"), "-i", str(work / "inventory.ini"), str(ANSIBLE / "site.yml"),
            "-e", f"@{work / 'extra.json'}", "-e", f"@{vault}", "--vault-password-file", str(work / "vault-pass")]

    # a dry run first (site.yml's own advice): it must pass, show what it would do, touch nothing
    dry = subprocess.run([*argv, "--check", "--diff"], capture_output=True, text=True, env=ansible_env, timeout=300)
    assert dry.returncode == 0, dry.stdout[-4000:] + dry.stderr[-2000:]
    assert _recap(dry.stdout)["failed"] == 0 and _recap(dry.stdout)["changed"] >= 2  # the folders, the link
    assert "check mode: etc/systemd/system does not exist yet; the units and the udev rule would be installed" in dry.stdout
    assert "check mode: kiosk provision is not run; it would run" in dry.stdout
    assert "--device-id" in dry.stdout and TOKEN not in dry.stdout + dry.stderr
    assert list(root.iterdir()) == [] and not list(Path(ansible_env["TMPDIR"]).glob("kiosk-token.*"))
    assert reg_server.registrations == []

    first = subprocess.run(argv, capture_output=True, text=True, env=ansible_env, timeout=300)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    recap = _recap(first.stdout)
    assert recap["failed"] == 0 and recap["changed"] >= 4

    cfg = load_config(root / "etc/kiosk/kiosk.toml")
    assert (cfg.device.id, cfg.api.url, cfg.device.mode, cfg.display.orientation, cfg.api.token) == (
        "totem-fleet-1", reg_server.url, "hybrid", 180, TOKEN)
    assert cfg.display.week and str(cfg.display.off) == "22:30:00"
    assert (root / "etc/kiosk/api-token").stat().st_mode & 0o777 == 0o600
    assert (root / "var/lib/kiosk").is_dir()
    units = sorted(p.name for p in (root / "etc/systemd/system").iterdir())
    assert units == sorted(p.name for p in (REPO / "systemd").iterdir() if p.suffix in (".service", ".timer"))
    assert (root / "etc/udev/rules.d/90-kiosk-usb.rules").is_file()
    assert os.readlink(root / "usr/local/bin/kiosk") == extra["kiosk_bin"]
    assert [(d, a) for d, a, _ in reg_server.registrations] == [("totem-fleet-1", f"Bearer {TOKEN}")]
    assert TOKEN not in first.stdout + first.stderr
    temp = Path(ansible_env["TMPDIR"])
    assert not list(temp.glob("kiosk-token.*"))  # the hand-over file is gone

    second = subprocess.run(argv, capture_output=True, text=True, env=ansible_env, timeout=300)
    assert second.returncode == 0, second.stdout[-4000:]
    assert _recap(second.stdout)["changed"] == 0, second.stdout[-4000:]

    # a dry run of a provisioned device: nothing to change, nothing touched
    files = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
    dry = subprocess.run([*argv, "--check", "--diff"], capture_output=True, text=True, env=ansible_env, timeout=300)
    assert dry.returncode == 0, dry.stdout[-4000:] + dry.stderr[-2000:]
    assert _recap(dry.stdout)["changed"] == 0, dry.stdout[-4000:]
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == files

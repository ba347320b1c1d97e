"""`kiosk hub …` as a technician runs it: one line per problem, nothing half-written."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hub import cli as hub_cli
from kiosk.cli import main


def kiosk(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def test_migrate_create_admin_enrol_code_and_metrics_token(tmp_path: Path) -> None:
    data = str(tmp_path / "hub")
    r = kiosk("hub", "migrate", "--data", data)
    assert r.returncode == 0 and "revision 0001 applied" in r.stdout and "revision 0002 applied" in r.stdout
    assert "at revision 0002 (newest)" in r.stdout
    r = kiosk("hub", "create-admin", "Chef", "--data", data, "--password-stdin", stdin="short\n")
    assert r.returncode == 2 and r.stderr.strip().endswith("a password has at least 10 characters; nothing was written")
    r = kiosk("hub", "create-admin", "Chef", "--data", data, "--password-stdin", stdin="long enough password\n")
    assert r.returncode == 0 and r.stdout.strip() == "user chef created with role(s) admin"
    assert "created" not in r.stderr, r.stderr  # said once, on stdout (not again as a log line)
    r = kiosk("hub", "create-admin", "chef", "--data", data, "--password-stdin", stdin="long enough password\n")
    assert r.returncode == 2 and "user chef exists already" in r.stderr
    r = kiosk("hub", "create-admin", "x", "--data", data, "--role", "editr", "--password-stdin", stdin="x" * 12)
    assert r.returncode == 2 and "unknown role 'editr' (known: viewer, technician, admin, editor, publisher)" in r.stderr
    r = kiosk("hub", "enrol-code", "--data", data, "--device", "Totem 1")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "'Totem 1' is not a device id" in r.stderr
    r = kiosk("hub", "enrol-code", "--data", data, "--device", "totem-1", "--place", "Mairie")
    assert r.returncode == 0 and len(r.stdout.strip()) == 19 and "--enrol " + r.stdout.strip() in r.stderr
    r = kiosk("hub", "metrics-token", "--data", data)
    token_file = Path(r.stdout.strip())
    assert r.returncode == 0 and oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert "Traceback" not in r.stderr


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    r = kiosk("hub", "migrate", "--data", str(tmp_path), "--database-url", "postgresql://hub:secret@127.0.0.1:1/hub")
    assert r.returncode == 2 and "cannot open the database" in r.stderr
    assert "secret" not in r.stderr and "Traceback" not in r.stderr
    r = kiosk("hub", "migrate", "--data", str(tmp_path), "--database-url", "mysql://x@y/z")
    assert r.returncode == 2 and "only SQLite and PostgreSQL" in r.stderr


def test_without_the_hub_extra_the_command_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(hub_cli, "NEEDED", (*hub_cli.NEEDED, "a_module_that_is_not_installed"))
    assert main(["hub", "migrate", "--data", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert err == ("kiosk: error: the hub needs its extra: pip install 'town-kiosk[hub]' "
                   "(missing: a_module_that_is_not_installed)\n")

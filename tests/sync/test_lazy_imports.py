"""What `kiosk sync --once` imports before its first request stays what it needs."""
from __future__ import annotations

import subprocess
import sys


def test_one_shot_sync_path_imports_neither_the_scheduler_nor_the_schema_validator() -> None:
    # APScheduler is the daemon's; jsonschema is only needed once a changed manifest arrives
    # (a no-change sync gets a 304 and never validates anything).
    code = (
        "import sys, kiosk.cli, kiosk.sync_commands, kiosk.cache_open, sync, sync.syncer\n"
        "print(sorted(m for m in ('apscheduler', 'jsonschema', 'kivy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_validating_a_manifest_imports_the_validator_on_demand() -> None:
    code = (
        "import sys\n"
        "from sync.manifest import ManifestError, parse_manifest\n"
        "assert 'jsonschema' not in sys.modules\n"
        "try:\n"
        "    parse_manifest(b'{}')\n"
        "except ManifestError as e:\n"
        "    print(e.problems[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "missing required field" in out.stdout

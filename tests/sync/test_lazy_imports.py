"""What `kiosk sync --once` imports before its first request stays what it needs."""
from __future__ import annotations

import ast
import subprocess
import sys


def loaded_after(statement: str, watched: tuple[str, ...]) -> list[str]:
    """Which of ``watched`` a fresh interpreter has loaded after running ``statement``."""
    code = f"import sys\n{statement}\nprint(sorted(m for m in {watched!r} if m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return ast.literal_eval(out.stdout.strip())


def test_one_shot_sync_path_imports_neither_the_scheduler_nor_the_schema_validator() -> None:
    # APScheduler is the daemon's; jsonschema is only needed once a changed manifest arrives
    # (a no-change sync gets a 304 and never validates anything).
    imports = "import kiosk.cli, kiosk.cli.sync, kiosk.device.cache, sync, sync.syncer"
    assert loaded_after(imports, ("apscheduler", "jsonschema", "kivy")) == []


def test_the_one_shot_path_imports_no_sqlalchemy() -> None:
    imports = "import kiosk.cli, kiosk.cli.sync, sync, sync.one_shot, sync.syncer, content_cache.light"
    assert loaded_after(imports, ("sqlalchemy", "content_cache.cache", "apscheduler")) == []


def test_the_cache_package_loads_sqlalchemy_only_for_the_names_that_need_it() -> None:
    # The player reads its content with these before its first frame.
    light = "from content_cache import LiveState, LiveContent, ItemData, MediaStore, is_alert"
    assert loaded_after(light, ("sqlalchemy", "content_cache.cache")) == []
    assert loaded_after("from content_cache import ContentCache", ("sqlalchemy",)) == ["sqlalchemy"]


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

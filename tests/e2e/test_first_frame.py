"""The player's first frame comes from the cache without SQLAlchemy, the sync client or
the device services loaded; they start right after it, and nothing recorded is lost."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from content_cache import ContentCache, Outbox
from content_cache.playlog import PlayLog

from ..helpers import write_source
from .device import synced_device

# Runs the real `kiosk player`, noting which libraries are loaded when READY=1 is sent.
PROBE = r"""
import json, sys
import kiosk.app.run as pa
from kiosk.cli import main
out, prepare = sys.argv[1], pa.prepare_kivy

def prepare_and_watch(*a, **k):
    prepare(*a, **k)
    import kiosk.app.device_link as dev
    ready = dev.DeviceLink._ready

    def noted(self, what):
        heavy = ("sqlalchemy", "requests", "jsonschema", "apscheduler", "pyudev", "ffpyplayer")
        with open(out, "w") as f:
            json.dump({"what": what, "loaded": [m for m in heavy if m in sys.modules]}, f)
        return ready(self, what)

    dev.DeviceLink._ready = noted

pa.prepare_kivy = prepare_and_watch
sys.exit(main(sys.argv[2:]))
"""


def test_first_frame_without_the_heavy_libraries_then_everything_runs(tmp_path: Path) -> None:
    data = synced_device(tmp_path, write_source(tmp_path / "src", images=2))
    (tmp_path / "kiosk.toml").write_text('[device]\nid = "totem-1"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    note = tmp_path / "ready.json"
    r = subprocess.run(
        [sys.executable, "-c", PROBE, str(note), "player", "--data", str(data), "--headless",
         "--config", str(tmp_path / "kiosk.toml"), "--size", "640x360", "--duration", "7",
         "--max-slide-seconds", "2"],
        env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    ready = json.loads(note.read_text())
    assert ready["what"].startswith("showing img-0")
    assert ready["loaded"] == []
    # opened after the first frame: the slides shown were recorded in both places
    with ContentCache(data / "cache") as cache:
        items = [rec.payload["item"] for rec in Outbox(cache).batch()]
    log = PlayLog.in_data_dir(data)
    plays = [p.item_id for p in log.plays()]
    log.close()
    assert items[:2] == ["img-0", "img-1"] and plays == items

"""The player app is what its helpers expect (kiosk.app.host.PlayerHost) from its __init__ on,
before Kivy runs it: the device link, the touch layer and the hooks read no attribute that
comes later."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import json, sys
from datetime import UTC, datetime
from pathlib import Path
from kiosk.device.kivy_env import prepare_kivy

data = Path(sys.argv[1])
prepare_kivy(data / "kivy", headless=True, fullscreen=False, size=(320, 240))
from kiosk.app.player_cache import PlayerCache
from kiosk.app.host import PlayerHost
from kiosk.app.options import PlayerOptions
from kiosk.app.player_app import PlayerApp

cache = PlayerCache.open(data)
app = PlayerApp(PlayerOptions(data_dir=data, headless=True), cache, lambda: datetime.now(UTC))
members = sorted(n for n in vars(PlayerHost) if not n.startswith("_"))
print(json.dumps({"members": members, "missing": [n for n in members if not hasattr(app, n)],
                  "status_keys": sorted(app.device.status())}))
cache.close()
"""


def test_every_member_the_helpers_use_exists_once_the_app_is_made(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert {"options", "state", "pacer", "touch_mode", "services", "show_next", "stop"} <= set(out["members"])
    assert out["missing"] == []
    # the control socket's status answers before the first frame too
    assert {"frame_rate_cap", "touch", "device_services", "showing"} <= set(out["status_keys"])

"""Writers in two processes at once (player: proof of play; sync: alerts, versions)."""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from content_cache import ContentCache, LightCache, Outbox

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)

PLAYER = """
from datetime import datetime, timezone
from content_cache import ContentCache, Outbox
c = ContentCache({root!r}).open()
o = Outbox(c)
for i in range(150):
    o.put("play", {{"item": f"i{{i}}"}}, datetime.now(timezone.utc))
    c.live_state()
print("ok")
"""


@pytest.mark.parametrize("sync_side", [ContentCache, LightCache], ids=["daemon", "sync-once"])
def test_alert_updates_and_proof_of_play_from_two_processes_never_fail(
    tmp_path: Path, sync_side: type[ContentCache] | type[LightCache]
) -> None:
    """The daemon writes through ContentCache, `kiosk sync --once` through LightCache: the
    same SQL, each transaction taking the write lock first, against the player's outbox."""
    root = tmp_path / "cache"
    ContentCache(root).open().close()
    proc = subprocess.Popen([sys.executable, "-c", PLAYER.format(root=str(root))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    changes = 0
    with sync_side(root) as cache:
        start = cache.live_state().generation
        for i in range(150):
            alert = {"id": "storm", "category": "alert", "severity": "critical",
                     "title": {"fr": f"Tempête {i}"}, "body": {}}
            changes += cache.set_alert_overlay("v-next", [alert], NOW)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.strip() == "ok", err[-2000:]
    with ContentCache(root) as cache:
        assert cache.live_state().generation - start == changes == 150
        assert Outbox(cache).size() == 150
        assert cache.read_live() is None  # nothing live yet: the overlay waits for a version

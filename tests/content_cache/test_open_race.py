"""The player and the sync daemon open a new cache at the same moment on a device."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OPEN = "from content_cache import ContentCache; c = ContentCache({root!r}).open(); print(c.live_state().generation)"


def test_processes_opening_a_new_cache_together_all_succeed(tmp_path: Path) -> None:
    for round_no in range(5):
        root = tmp_path / f"cache{round_no}"
        procs = [subprocess.Popen([sys.executable, "-c", OPEN.format(root=str(root))],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        results = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], [err[-500:] for _, err in results]
        assert [out.strip() for out, _ in results] == ["0"] * 4

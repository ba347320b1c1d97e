"""CPU and wall time of `kiosk sync --once` in this checkout and another, taking turns.

    .venv/bin/python -m bench.sync_cpu DIR [ROUNDS]

DIR is another checkout (``git archive REV | tar -x -C DIR``). Each round, for each
checkout: a full sync of bench/sync_bench.py's tree (200 files, ~100 MB) into an empty
cache, a no-change sync, the imports of the one-shot path (``LightCache``, no SQLAlchemy),
and the same imports plus the full cache (``content_cache.cache``: SQLAlchemy and the
models). CPU time is user + system of the child process (``getrusage``): on a shared,
loaded machine it moves much less than wall time. Prints best (median) and the same-round
ratios this / other, median [range].
"""
from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_bench import make_source  # noqa: E402
from hub.publisher import publish  # noqa: E402
from hub.refserver import ContentTreeServer  # noqa: E402

LIGHT = ("import kiosk.cli, kiosk.cli.sync, kiosk.device.cache, sync, sync.client, sync.one_shot, sync.syncer, "
         "content_cache.light")
FULL = LIGHT + ", content_cache.cache"


def run(cmd: list[str], tree: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of ``cmd`` run with ``tree``'s code."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    trees = {"this": Path(__file__).resolve().parents[1], "other": Path(sys.argv[1]).resolve()}
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    measures = ("full sync", "no-change sync", "light imports", "full imports")
    res: dict[str, dict[str, list[tuple[float, float]]]] = {t: {m: [] for m in measures} for t in trees}
    with tempfile.TemporaryDirectory(dir=Path.home()) as tmp_s:
        tmp = Path(tmp_s)
        make_source(tmp / "src", 200, 100)
        publish(tmp / "src", tmp / "tree")
        server = ContentTreeServer(tmp / "tree").start_background()
        try:
            for _ in range(rounds):
                for name, tree in trees.items():
                    data = tmp / name
                    shutil.rmtree(data, ignore_errors=True)
                    kiosk = [sys.executable, "-m", "kiosk", "sync", "--once", "--quiet", "--api", server.url,
                             "--data", str(data)]
                    res[name]["full sync"].append(run(kiosk, tree))
                    res[name]["no-change sync"].append(run(kiosk, tree))
                    res[name]["light imports"].append(run([sys.executable, "-c", LIGHT], tree))
                    res[name]["full imports"].append(run([sys.executable, "-c", FULL], tree))
        finally:
            server.stop()
    for m in measures:
        for name in trees:
            wall, cpu = zip(*res[name][m], strict=True)
            print(f"{m:15s} {name:5s}  CPU {min(cpu):.3f} s ({statistics.median(cpu):.3f})   "
                  f"wall {min(wall):.3f} s ({statistics.median(wall):.3f})")
        for i, what in ((1, "CPU"), (0, "wall")):
            r = sorted(a[i] / b[i] for a, b in zip(res["this"][m], res["other"][m], strict=True))
            print(f"{m:15s} this / other, {what}: {statistics.median(r):.2f} [{r[0]:.2f}-{r[-1]:.2f}]")


if __name__ == "__main__":
    main()

"""Where a slide change's time goes, transition by transition: our player only, headless,
on the demo town, driven as bench/player_bench.py drives it (the control socket's `next`,
each answer awaited, a video's first frame awaited too).

    .venv/bin/python -m bench.player_transitions [--launches 3] [--transitions 40]

For each launch (3 s after the first frame, as the main bench waits): the first transition
(the still first slide's loop idles at a frame a second), the mean of the first 10 (what
`player_bench --transitions 10` reports) and of all; over all launches, the median of
transitions to a video (its decoder process starts) and to anything else. To compare with
another checkout, run it from there with that checkout first on PYTHONPATH (the `kiosk`
console script of an editable install would otherwise run this one).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.player_bench import DEMO, SETTLE_S, Bench, become_subreaper, kiosk_cmd, run_quiet  # noqa: E402
from hub.refserver import ContentTreeServer  # noqa: E402
from kiosk.device.control import call, socket_path  # noqa: E402


def one_launch(b: Bench, data: Path, n: int) -> list[tuple[str, float]]:
    launch = b.start_ours(data)
    try:
        time.sleep(SETTLE_S)
        sock = socket_path(data)
        start = call(sock, "status")["slides_shown"]
        showing = call(sock, "status")["showing"]
        out = []
        for i in range(n):
            t0 = time.monotonic()
            reply = call(sock, "next")
            kind = "other"
            if reply["showing"] == showing:  # a video: its first frame is awaited
                kind = "video"
                while call(sock, "status")["slides_shown"] < start + i + 1:
                    time.sleep(0.01)
                showing = call(sock, "status")["showing"]
            else:
                showing = reply["showing"]
            out.append((kind, (time.monotonic() - t0) * 1000))
        return out
    finally:
        launch.side.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--launches", type=int, default=3)
    ap.add_argument("--transitions", type=int, default=40)
    args = ap.parse_args()
    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="player-transitions-") as tmp_s:
        tmp = Path(tmp_s)
        run_quiet(kiosk_cmd("publish", str(DEMO), str(tmp / "tree")))
        server = ContentTreeServer(tmp / "tree").start_background()
        data = tmp / "data"
        run_quiet(kiosk_cmd("sync", "--once", "--quiet", "--api", server.url, "--data", str(data)))
        b = Bench(tmp, (1280, 720))
        b.start_ours(data).side.stop()  # warm-up: page cache, downscaled images
        runs = [one_launch(b, data, args.transitions) for _ in range(args.launches)]
    later = [ms for run in runs for kind, ms in run[1:]]
    video = [ms for run in runs for kind, ms in run[1:] if kind == "video"]
    other = sorted(ms for run in runs for kind, ms in run[1:] if kind == "other")
    print(json.dumps({
        "first_ms": [round(run[0][1]) for run in runs],
        "mean_first_10_ms": [round(statistics.fmean(ms for _k, ms in run[:10])) for run in runs],
        "mean_all_ms": [round(statistics.fmean(ms for _k, ms in run)) for run in runs],
        "to_video_median_ms": round(statistics.median(video)) if video else None,
        "other_median_ms": round(statistics.median(other)) if other else None,
        "other_p90_ms": round(other[int(len(other) * 0.9)]) if other else None,
        "later_max_ms": round(max(later)) if later else None,
        "load_average": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()

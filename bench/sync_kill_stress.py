"""Stress: `kiosk sync --once` killed with SIGKILL at random points, many rounds.

    .venv/bin/python -m bench.sync_kill_stress [--rounds N] [--seed S]

After every kill the cache must pass `PRAGMA integrity_check`, the live version must be
the old or the new one (never a mix), no file may sit under a final name with wrong
bytes; at the end one more sync must complete. Prints a summary of where kills landed.
"""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.sigkill import run_rounds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rounds, seed = args.rounds, args.seed
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        results = run_rounds(Path(tmp), rounds=rounds, seed=seed)
    outcome = Counter(
        "killed, old version kept" if r.exit_code == -signal.SIGKILL and r.live_after == r.live_before
        else "killed after the switch" if r.exit_code == -signal.SIGKILL
        else "completed" for r in results
    )
    print(f"{rounds} rounds in {time.monotonic() - t0:.0f} s, seed {seed}: all invariants held")
    for what, n in outcome.most_common():
        print(f"  {what:28s} {n}")


if __name__ == "__main__":
    main()

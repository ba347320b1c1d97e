"""Stress: syncs killed with SIGKILL at random points, many rounds, three ways.

    .venv/bin/python -m bench.sync_kill_stress [--rounds N] [--seed S] [--mode once|daemon|race|all]

``once``: `kiosk sync --once` killed. ``daemon``: the sync daemon killed (at its start,
while it checks the live files, polls, downloads or switches). ``race``: two
`kiosk sync --once` on one data folder at once (the second waiting for the first, or
not: exit 9), either or both killed.

After every round the cache must pass `PRAGMA integrity_check`, the live version must be
the old or the new one (never a mix) and the new one if a sync said it completed, no file
may sit under a final name with wrong bytes, every exit code must be 0, 9 or SIGKILL; at
the end one more sync must complete. Prints a summary of where kills landed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.sigkill import MODES, RoundResult, run_rounds  # noqa: E402


def _what(r: RoundResult) -> str:
    live = "new version live" if r.live_after == r.published else "old version kept"
    if r.mode == "race":
        n = sum(c == -9 for c in r.exit_codes)
        who = {0: "none killed", 1: "one killed", 2: "both killed"}[n]
        return f"{who}, {live}" + (", the other said busy (exit 9)" if 9 in r.exit_codes else "")
    if not r.killed:
        return "completed" if r.live_after == r.published else "ended, old version kept"
    return "killed, old version kept" if r.live_after == r.live_before else "killed after the switch"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=(*MODES, "all"), default="all")
    args = parser.parse_args()
    for mode in MODES if args.mode == "all" else (args.mode,):
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            results = run_rounds(Path(tmp), rounds=args.rounds, seed=args.seed, mode=mode)
        print(f"{mode}: {args.rounds} rounds in {time.monotonic() - t0:.0f} s, seed {args.seed}: all invariants held")
        for what, n in Counter(_what(r) for r in results).most_common():
            print(f"  {what:55s} {n}")


if __name__ == "__main__":
    main()

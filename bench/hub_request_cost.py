"""What one device request costs the hub itself, in process: no network, no gunicorn, no
other request at the same time (Flask's test client on the app `kiosk hub serve` runs).

    .venv/bin/python -m bench.hub_request_cost [--database sqlite|postgresql|both] [--devices 1000]

The tree, the devices and their tokens are bench/hub_load.py's; a 304 manifest poll and a
heartbeat with five plays (the load bench's two requests) are timed one after the other,
after a warm-up, the worker's startup objects frozen as in a gunicorn worker. Prints the
median, p90 and p99 of each, and the time spent in the cycle collector's full passes.
"""
from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.hub_load import enrol_all, heartbeat_body, make_source  # noqa: E402
from hub.publisher import publish  # noqa: E402
from hub.settings import HubSettings  # noqa: E402


def measure(database: str, n_devices: int, polls: int, heartbeats: int) -> dict[str, object]:
    from hub.web import create_app

    tmp = Path(tempfile.mkdtemp(prefix="hub-cost-"))
    cluster = None
    try:
        content = make_source(tmp / "src")
        data = tmp / "hub"
        data.mkdir()
        publish(content, data / "published")
        url = None
        if database == "postgresql":
            from tests.hub import postgres

            why = postgres.missing()
            if why:
                raise SystemExit(why)
            cluster = postgres.Cluster(Path(tempfile.mkdtemp(prefix="hub-cost-pg-")))
            cluster.start(durable=True)
            url = cluster.new_database()
        devices = enrol_all(url or f"sqlite:///{data / 'hub.sqlite'}", n_devices)
        app = create_app(HubSettings(data_dir=data, content_dir=content, database_url=url))
        try:
            from hub.server import freeze_startup_objects

            freeze_startup_objects()
        except ImportError:  # a checkout from before it existed
            pass
        client = app.test_client()
        etag = client.get("/v1/manifest.json", headers={"Authorization": f"Bearer {devices[0][1]}"}).headers["ETag"]
        seq = [0]

        def poll(i: int) -> None:
            _d, token = devices[i % n_devices]
            r = client.get("/v1/manifest.json", headers={"Authorization": f"Bearer {token}", "If-None-Match": etag})
            assert r.status_code == 304, r.status_code

        def heartbeat(i: int) -> None:
            device, token = devices[i % n_devices]
            seq[0] += 1
            r = client.post(f"/v1/devices/{device}/events", data=heartbeat_body(device, seq[0]),
                            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            assert r.status_code == 200, r.status_code

        pauses: list[float] = []
        started = [0.0]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started[0] = time.perf_counter()
            elif info["generation"] == 2:
                pauses.append((time.perf_counter() - started[0]) * 1000)

        out: dict[str, object] = {"database": database}
        gc.callbacks.append(on_gc)
        try:
            runs: tuple[tuple[str, Callable[[int], None], int], ...] = (
                ("poll_304", poll, polls), ("heartbeat", heartbeat, heartbeats))
            for name, call, count in runs:
                for i in range(50):
                    call(i)
                times = []
                for i in range(count):
                    t0 = time.perf_counter()
                    call(i + 50)
                    times.append((time.perf_counter() - t0) * 1000)
                times.sort()
                out[name] = {"median_ms": round(statistics.median(times), 2),
                             "p90_ms": round(times[int(len(times) * 0.9)], 2),
                             "p99_ms": round(times[int(len(times) * 0.99)], 2)}
        finally:
            gc.callbacks.remove(on_gc)
            app.extensions["town_kiosk_hub"].stop_flusher()
            app.extensions["town_kiosk_hub"].database.dispose()
        out["full_collections_ms"] = [round(p, 1) for p in pauses]
        return out
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.root, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--polls", type=int, default=1000)
    ap.add_argument("--heartbeats", type=int, default=500)
    args = ap.parse_args()
    for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        print(measure(database, args.devices, args.polls, args.heartbeats), flush=True)


if __name__ == "__main__":
    main()

"""Hub load benchmark: many simulated devices polling the hub on 127.0.0.1.

    .venv/bin/python -m bench.hub_load [--devices 1000[,2000,5000]] [--duration 60] [--poll 30]
                                       [--heartbeat 60] [--database sqlite|postgresql|both]
                                       [--workers 2] [--threads 8] [--json FILE]

Starts the hub as a town runs it (`kiosk hub serve`: gunicorn, gthread workers) on a small
published tree, enrols the devices straight into its database (one token each), then runs
an asyncio client in this process: each device polls the manifest every ``--poll`` seconds
(conditional GET: 200 the first time, 304 afterwards) and sends a heartbeat with five plays
every ``--heartbeat`` seconds, each on a new connection as a device's requests does after
its keep-alive ran out; the first request of each device falls at a random point of its
interval, so the load is steady from the start. Reports requests per second, p50/p99
latency per request kind, errors (anything but 200/304 and transport failures), and the
CPU the hub used (gunicorn's master and workers, from /proc) per second of wall time.

The load generator runs on the same machine and takes CPU too: on a small machine the
figures are an upper bound on what the hub costs ("client CPU/s" is its own). ``--pin``
puts the hub (gunicorn, and PostgreSQL's server) on the first CPU and the load generator
on the second, so that neither waits for the other's core; other work on the machine
still shares both. Defaults keep a run near a minute; ``--duration 300`` is the issue's
"few minutes".
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.db import Database, migrate  # noqa: E402
from hub.db.models import Device, DeviceToken  # noqa: E402
from hub.fleet.credentials import token_hash  # noqa: E402
from hub.publisher import publish  # noqa: E402

HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Stats:
    latency: dict[str, list[float]] = field(default_factory=lambda: {"manifest": [], "heartbeat": []})
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


def make_source(root: Path) -> Path:
    from PIL import Image

    (root / "media").mkdir(parents=True)
    (root / "playlists").mkdir()
    (root / "site.toml").write_text(
        '[site]\nid = "bench"\ntimezone = "Europe/Paris"\nlanguages = ["fr"]\ndefault_playlist = "lobby"\n'
        '[site.name]\nfr = "Bench"\n')
    items = []
    for i in range(20):
        Image.new("RGB", (64, 36), (i * 10, 80, 160)).save(root / "media" / f"p{i}.png")
        items.append(f'[[items]]\nid = "poster-{i}"\ntype = "image"\nfile = "media/p{i}.png"\nduration = 8\n')
    (root / "playlists" / "lobby.toml").write_text('id = "lobby"\n\n' + "\n".join(items))
    return root


def enrol_all(url: str, n: int) -> list[tuple[str, str]]:
    """n devices with a token each, written in one transaction (the bench is not about enrolment)."""
    db = Database(url)
    migrate(db)
    now = datetime.now(UTC)
    out = [(f"bench-{i:05d}", f"bench-token-{i:05d}-{random.getrandbits(64):016x}") for i in range(n)]
    with db.transaction() as s:
        s.add_all(Device(id=d, place=f"Place {i}", created_at=now, offline_noted=False, alerts=[], errors=[],
                         details={}) for i, (d, _t) in enumerate(out))
        s.flush()
        s.add_all(DeviceToken(device_id=d, token_hash=token_hash(t), created_at=now) for d, t in out)
    db.dispose()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_hub(data: Path, content: Path, url: str | None, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "kiosk", "hub", "serve", "--content", str(content), "--data", str(data),
           "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    if url:
        cmd += ["--database-url", url]
    log = (data.parent / "hub.log").open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            with socket.create_connection((HOST, port), timeout=1) as c:
                c.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
                if b" 200 " in c.recv(100):
                    return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the hub did not start; see {data.parent / 'hub.log'}")


def cpu_seconds(root_pid: int) -> float:
    """CPU time of a process and its children (gunicorn's master and workers)."""
    pids = [root_pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == root_pid:
                    pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / CLK_TCK


async def http(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""
               ) -> tuple[int, dict[str, str]]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        if body:
            head += f"Content-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        status_line = await reader.readline()
        status = int(status_line.split()[1])
        got: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            k, _, v = line.decode().partition(":")
            got[k.strip().lower()] = v.strip()
        length = int(got.get("content-length", "0"))
        if length:
            await reader.readexactly(length)
        return status, got
    finally:
        writer.close()


def heartbeat_body(device: str, seq: int) -> bytes:
    now = datetime.now(UTC)
    events = [{"key": f"{device}-hb-{seq}", "kind": "heartbeat", "created_at": now.isoformat(), "payload": {
        "live_version": "bench", "poll_interval_s": 30, "disk_free_bytes": 5_000_000_000,
        "disk_total_bytes": 16_000_000_000, "system_uptime_s": 3600 + seq, "mode": "signage", "orientation": 0,
        "software": "bench", "errors": [],
        "player": {"running": True, "showing": "poster-3", "showing_kind": "image",
                   "why": "playlist lobby: priority 0; always", "screen_power": "on", "alerts": []}}}]
    for k in range(5):
        start = (now - timedelta(seconds=8 * (k + 1))).isoformat()
        events.append({"key": f"{device}-p-{seq}-{k}", "kind": "play", "created_at": now.isoformat(),
                       "payload": {"item": f"poster-{k}", "kind": "image", "content_version": "bench",
                                   "start": start, "duration_s": 8.0}})
    return json.dumps({"events": events}).encode()


async def one_device(port: int, device: str, token: str, poll_s: float, hb_s: float, t_end: float,
                     stats: Stats, rng: random.Random) -> None:
    loop = asyncio.get_running_loop()
    auth = {"Authorization": f"Bearer {token}"}
    start = loop.time()
    next_poll, next_hb = start + rng.uniform(0, poll_s), start + rng.uniform(0, hb_s)
    etag: str | None = None
    seq = 0
    while True:
        at = min(next_poll, next_hb)
        if at >= t_end:
            return
        await asyncio.sleep(max(0.0, at - loop.time()))
        kind = "manifest" if at == next_poll else "heartbeat"
        t0 = time.perf_counter()
        try:
            if kind == "manifest":
                next_poll += poll_s
                status, headers = await http(port, "GET", "/v1/manifest.json",
                                             {**auth, **({"If-None-Match": etag} if etag else {})})
                etag = headers.get("etag", etag)
            else:
                next_hb += hb_s
                seq += 1
                status, _ = await http(port, "POST", f"/v1/devices/{device}/events",
                                       {**auth, "Content-Type": "application/json"}, heartbeat_body(device, seq))
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
            stats.errors[f"{kind}: {type(e).__name__}"] += 1
            continue
        stats.latency[kind].append((time.perf_counter() - t0) * 1000)
        stats.statuses[f"{kind} {status}"] += 1
        if status not in (200, 304):
            stats.errors[f"{kind}: HTTP {status}"] += 1


async def run_load(port: int, devices: list[tuple[str, str]], duration: float, poll_s: float, hb_s: float
                   ) -> Stats:
    stats = Stats()
    rng = random.Random(7)
    t_end = asyncio.get_running_loop().time() + duration
    await asyncio.gather(*(one_device(port, d, t, poll_s, hb_s, t_end, stats, rng) for d, t in devices))
    return stats


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def one_run(n: int, database: str, args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="hub-load-"))
    cluster = None
    every_cpu = os.sched_getaffinity(0)
    if args.pin:  # what starts from here (PostgreSQL, the hub) inherits the first CPU
        os.sched_setaffinity(0, {min(every_cpu)})
    try:
        content = make_source(tmp / "src")
        url = None
        if database == "postgresql":
            from tests.hub import postgres

            why = postgres.missing()
            if why:
                raise SystemExit(why)
            cluster = postgres.Cluster(Path(tempfile.mkdtemp(prefix="hub-load-pg-")))
            cluster.start(durable=True)  # PostgreSQL's own fsync and commit settings
            url = cluster.new_database()
        data = tmp / "hub"
        data.mkdir()
        publish(content, data / "published")
        devices = enrol_all(url or f"sqlite:///{data / 'hub.sqlite'}", n)
        proc, port = start_hub(data, content, url, args.workers, args.threads)
        if args.pin:  # the load generator on the other CPU
            os.sched_setaffinity(0, (every_cpu - {min(every_cpu)}) or every_cpu)
        try:
            cpu0, wall0, own0 = cpu_seconds(proc.pid), time.monotonic(), _own_cpu()
            stats = asyncio.run(run_load(port, devices, args.duration, args.poll, args.heartbeat))
            cpu = cpu_seconds(proc.pid) - cpu0
            wall = time.monotonic() - wall0
            own = _own_cpu() - own0
            load = os.getloadavg()[0]  # the machine's 1-minute load: other work shares its cores
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        every = stats.latency["manifest"] + stats.latency["heartbeat"]
        return {
            "devices": n, "database": database, "duration_s": round(wall, 1),
            "requests": len(every), "rps": round(len(every) / wall, 1),
            "p50_ms": round(pct(every, 50), 2), "p99_ms": round(pct(every, 99), 2),
            "manifest_p99_ms": round(pct(stats.latency["manifest"], 99), 2),
            "heartbeat_p50_ms": round(pct(stats.latency["heartbeat"], 50), 2),
            "heartbeat_p99_ms": round(pct(stats.latency["heartbeat"], 99), 2),
            "max_ms": round(max(every, default=float("nan")), 1),
            "errors": sum(stats.errors.values()), "error_kinds": dict(stats.errors),
            "statuses": dict(stats.statuses),
            "hub_cpu_per_s": round(cpu / wall, 3),
            "client_cpu_per_s": round(own / wall, 3),
            "pinned": bool(args.pin),
            "load_average": round(load, 2),
            "mean_ms": round(statistics.fmean(every), 2) if every else None,
        }
    finally:
        os.sched_setaffinity(0, every_cpu)
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.root, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devices", default="1000", help="device counts, comma-separated (e.g. 1000,2000,5000)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load per run (default 60)")
    ap.add_argument("--poll", type=float, default=30.0, help="manifest poll interval per device (default 30 s)")
    ap.add_argument("--heartbeat", type=float, default=60.0, help="heartbeat interval per device (default 60 s)")
    ap.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (hub log, database)")
    ap.add_argument("--pin", action="store_true",
                    help="the hub and its database on the first CPU, the load generator on another")
    args = ap.parse_args(argv)
    # SIGTERM unwinds like Ctrl+C, so the hub and a PostgreSQL cluster are stopped and removed.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    counts = [int(x) for x in args.devices.split(",")]
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    print(f"{'devices':>7} {'db':>10} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'hb p99':>7} {'max ms':>7} "
          f"{'errors':>6} {'hub CPU/s':>9} {'client':>6} {'load':>5}")
    for n in counts:
        for database in databases:
            r = one_run(n, database, args)
            results.append(r)
            print(f"{r['devices']:>7} {r['database']:>10} {r['rps']:>7} {r['p50_ms']:>7} {r['p99_ms']:>7} "
                  f"{r['heartbeat_p99_ms']:>7} {r['max_ms']:>7} {r['errors']:>6} {r['hub_cpu_per_s']:>9} "
                  f"{r['client_cpu_per_s']:>6} {r['load_average']:>5}",
                  flush=True)
            if r["errors"]:
                print(f"        errors: {r['error_kinds']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

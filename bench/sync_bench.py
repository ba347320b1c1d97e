"""Sync benchmark: ours against curl, curl + sha256sum + sync, and `wget -N`.

    .venv/bin/python -m bench.sync_bench [--files 200] [--mb 100] [--runs 3] [--baseline DIR] [--media-rate MB/S] [--floor]

Builds a content tree of about 200 media files (~100 MB, mixed sizes), serves it with
the reference server on 127.0.0.1, and times, on the same URLs, in the same run:

- curl alone, 3 transfers in parallel (what the network path allows);
- curl, then `sha256sum -c`, then `sync` (the same guarantees as ours: verified, durable);
- `wget -N -i urls` (how piSignage syncs);
- `kiosk sync --once` (ours: verified, fsynced, atomic version switch, in a subprocess
  including Python start-up).

`--baseline DIR` adds `kiosk sync --once` run from another checkout (``git archive REV |
tar -x -C DIR``): before/after figures of a change, from the same run. The configurations
take turns (one run of each, then again), so a load that comes and goes on a shared
machine falls on all of them alike. `--media-rate MB/S` serves every media body at that rate
per connection (tests/faultserver.py's drip, at least 0.1 s a file): downloads then wait on
a line, as on a device, instead of being CPU work on loopback.

`--floor` adds bench/sync_floor.py: our client fetching and validating the manifest and
downloading every file into a media store, with no database (what a sync would cost if
writing the cache were free).

Then a no-change sync (requests made, bytes moved; ours vs `wget -N`) and a one-file
change (files fetched). Prints a table; ratios are ours / baseline (lower is better).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.publisher import publish  # noqa: E402
from hub.refserver import ContentTreeServer  # noqa: E402

JPEG = b"\xff\xd8\xff\xe0"
MP4 = b"\x00\x00\x00\x18ftypmp42"


def make_source(root: Path, files: int, total_mb: float, seed: int = 42) -> None:
    """Mixed sizes: many posters, some medium files, a few videos (about total_mb)."""
    rng = random.Random(seed)
    (root / "media").mkdir(parents=True)
    (root / "playlists").mkdir()
    (root / "site.toml").write_text(
        '[site]\nid = "bench"\ntimezone = "Europe/Paris"\nlanguages = ["fr"]\ndefault_playlist = "lobby"\n'
        '[site.name]\nfr = "Bench"\n')
    n_video, n_medium = max(1, files // 20), max(1, files // 5)
    n_small = files - n_video - n_medium
    weights = [(n_small, 1.0), (n_medium, 6.0), (n_video, 40.0)]
    unit = total_mb * 1e6 / sum(n * w for n, w in weights)
    items, k = [], 0
    for count, w in weights:
        for _ in range(count):
            size = int(unit * w * rng.uniform(0.6, 1.4))
            video = w >= 40
            head = MP4 if video else JPEG
            name = f"f{k:03d}.{'mp4' if video else 'jpg'}"
            (root / "media" / name).write_bytes(head + rng.randbytes(size - len(head)))
            items.append(f'[[items]]\nid = "i{k:03d}"\ntype = "{"video" if video else "image"}"\n'
                         f'file = "media/{name}"\nduration = 8\n')
            k += 1
    (root / "playlists" / "lobby.toml").write_text('id = "lobby"\n\n' + "\n".join(items))


def timed(cmd: list[str] | str, shell: bool = False, **kw: object) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, shell=shell, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t0


def from_checkout(tree: Path) -> dict[str, object]:
    """subprocess.run arguments that make `python -m kiosk` import another checkout's code."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    return {"cwd": tree, "env": env}



def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--mb", type=float, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", type=Path, default=None,
                    help="another checkout whose `kiosk sync --once` is timed too (before/after)")
    ap.add_argument("--floor", action="store_true",
                    help="also time bench/sync_floor.py: our client's downloads alone, no database")
    ap.add_argument("--media-rate", type=float, default=None, metavar="MB/S",
                    help="serve each media body at this rate (tests/faultserver.py's drip: a tenth "
                         "of it every 0.1 s, so at least 0.1 s a file), like a line instead of loopback")
    args = ap.parse_args()
    if args.baseline and not (args.baseline / "kiosk" / "__main__.py").is_file():
        sys.exit(f"{args.baseline}: not a checkout of this project")
    for tool in ("curl", "wget", "sha256sum", "sync"):
        if not shutil.which(tool):
            sys.exit(f"bench needs {tool} on PATH")

    with tempfile.TemporaryDirectory(dir=Path.home()) as tmp_s:
        tmp = Path(tmp_s)
        make_source(tmp / "src", args.files, args.mb)
        publish(tmp / "src", tmp / "tree")
        manifest = json.loads((tmp / "tree" / "v1" / "manifest.json").read_text())
        media = manifest["media"]
        total = sum(m["size"] for m in media)
        if args.media_rate:
            from tests.faultserver import FaultServer

            server = FaultServer(tmp / "tree")
            server.media_rate = args.media_rate * 1e6
            take_records = server.take_hits  # hits have the records' path, status, bytes_sent
        else:
            server = ContentTreeServer(tmp / "tree").start_background()
            take_records = server.take_records
        urls = [f"{server.url}/v1/media/{m['sha256']}" for m in media]
        (tmp / "urls.txt").write_text("\n".join(urls) + "\n")
        curl_cfg = tmp / "curl.cfg"
        curl_cfg.write_text("".join(f'url = "{u}"\noutput = "{m["sha256"]}"\n' for u, m in zip(urls, media, strict=False)))
        (tmp / "SHA256SUMS").write_text("".join(f"{m['sha256']}  {m['sha256']}\n" for m in media))
        kiosk = [sys.executable, "-m", "kiosk", "sync", "--once", "--quiet", "--api", server.url]

        def fresh(name: str) -> Path:
            d = tmp / name
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
            return d

        def run_curl() -> float:
            d = fresh("curl")
            return timed(f"cd {d} && curl -sf --parallel --parallel-max 3 -K {curl_cfg}", shell=True)

        def run_curl_verified() -> float:
            d = fresh("curl2")
            return timed(f"cd {d} && curl -sf --parallel --parallel-max 3 -K {curl_cfg} && "
                         f"sha256sum --quiet -c {tmp / 'SHA256SUMS'} && sync", shell=True)

        def run_wget() -> float:
            d = fresh("wget")
            return timed(["wget", "-q", "-N", "-i", str(tmp / "urls.txt"), "-P", str(d)])

        base_run = from_checkout(args.baseline.resolve()) if args.baseline else {}
        # Fixed costs, timed after each full sync of ours: the imports `kiosk sync --once`
        # needs, and a whole no-change run (start-up, imports, cache open, one 304, exit).
        fixed: dict[str, list[float]] = {"imports": [], "no-change": [], "base imports": [], "base no-change": []}
        imports = [sys.executable, "-c", "import kiosk.cli, kiosk.cli.sync, kiosk.device.cache, sync.client, sync.one_shot, sync.syncer"]

        def run_ours() -> float:
            d = fresh("ours")
            t = timed([*kiosk, "--data", str(d)])
            fixed["imports"].append(timed(imports, cwd=tmp))
            fixed["no-change"].append(timed([*kiosk, "--data", str(d)]))
            return t

        def run_baseline() -> float:
            d = fresh("baseline")
            t = timed([*kiosk, "--data", str(d)], **base_run)
            fixed["base imports"].append(timed(imports, **base_run))
            fixed["base no-change"].append(timed([*kiosk, "--data", str(d)], **base_run))
            return t

        def run_floor() -> float:
            d = fresh("floor")
            return timed([sys.executable, "-m", "bench.sync_floor", server.url, str(d)],
                         cwd=Path(__file__).resolve().parents[1])

        configs = [("curl (3 parallel)", run_curl), ("curl + sha256sum + sync", run_curl_verified),
                   ("wget -N", run_wget), ("kiosk sync --once", run_ours)]
        if args.floor:
            configs.append(("ours, downloads only", run_floor))
        if args.baseline:
            configs.append((f"baseline {args.baseline.name}", run_baseline))
        samples: dict[str, list[float]] = {name: [] for name, _ in configs}
        for _ in range(args.runs):
            for name, fn in configs:
                samples[name].append(fn())
        rows = {name: (min(t), statistics.median(t)) for name, t in samples.items()}

        # no-change sync: ours (after a full sync into ours/) vs wget -N (after wget/)
        take_records()
        timed([*kiosk, "--data", str(tmp / "ours")])
        ours_nc = take_records()
        timed(["wget", "-q", "-N", "-i", str(tmp / "urls.txt"), "-P", str(tmp / "wget")])
        wget_nc = take_records()

        # one-file change
        victim = sorted((tmp / "src" / "media").glob("*.jpg"))[0]
        victim.write_bytes(JPEG + random.Random(7).randbytes(victim.stat().st_size - 4))
        publish(tmp / "src", tmp / "tree")
        take_records()
        timed([*kiosk, "--data", str(tmp / "ours")])
        one = take_records()
        server.stop()

    ours = rows["kiosk sync --once"][0]
    verified = rows["curl + sha256sum + sync"][0]
    # Ratios of runs made back to back in the same round: on a shared machine whose load
    # comes and goes, these move less than ratios of bests or medians taken apart.
    paired = {"ours / curl + sha256sum + sync": (samples["kiosk sync --once"], samples["curl + sha256sum + sync"])}
    if args.floor:
        paired["downloads only / curl + sha256sum + sync"] = (samples["ours, downloads only"],
                                                              samples["curl + sha256sum + sync"])
    if args.baseline:
        base_name = f"baseline {args.baseline.name}"
        paired["ours / baseline"] = (samples["kiosk sync --once"], samples[base_name])
        paired["baseline / curl + sha256sum + sync"] = (samples[base_name], samples["curl + sha256sum + sync"])
    print(f"full sync of {len(media)} files, {total / 1e6:.1f} MB, loopback, best of {args.runs} (median):")
    for name, (b, med) in rows.items():
        ratio = "" if name.startswith("kiosk") else f"   ours/this = {ours / b:.2f}"
        if name.startswith("baseline"):
            ratio += f"   this/curl+sha256sum+sync = {b / verified:.2f}"
        print(f"  {name:26s} {b:6.2f} s ({med:5.2f})  {total / b / 1e6:7.1f} MB/s{ratio}")
    for who, full in (("ours", ours), ("baseline", rows.get(f"baseline {getattr(args.baseline, 'name', '')}", (0,))[0])):
        key = "" if who == "ours" else "base "
        if not fixed[f"{key}imports"]:
            continue
        imp, nc = min(fixed[f"{key}imports"]), min(fixed[f"{key}no-change"])
        print(f"  {who}: imports {imp:.2f} s, a whole no-change sync --once {nc:.2f} s; full sync without "
              f"the imports / curl + sha256sum + sync = {(full - imp) / verified:.2f}, "
              f"without the no-change run = {(full - nc) / verified:.2f}")
    print("same-round ratios, median [min-max] over the rounds:")
    for name, (a, b) in paired.items():
        r = sorted(x / y for x, y in zip(a, b, strict=False))
        print(f"  {name:36s} {statistics.median(r):.2f} [{r[0]:.2f}-{r[-1]:.2f}]")
    print("no-change sync:")
    print(f"  kiosk sync --once          {len(ours_nc)} request(s), {sum(r.bytes_sent for r in ours_nc)} body bytes "
          f"({', '.join(sorted({str(r.status) for r in ours_nc}))})")
    print(f"  wget -N                    {len(wget_nc)} request(s), {sum(r.bytes_sent for r in wget_nc)} body bytes")
    media_fetched = [r for r in one if r.path.startswith("/v1/media/")]
    print(f"one-file change: {len(media_fetched)} media file(s) fetched, "
          f"{len(one)} request(s) in all, {sum(r.bytes_sent for r in one) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()

"""`kiosk preview` benchmark: a 20-slide contact sheet, as the editor asks for one.

    python -m bench.preview_bench [--runs 5] [--size 1920x1080] [--slides 20]

Builds a content folder of ``--slides`` slides — posters as full-HD JPEGs (photographs'
sizes, ~0.3-0.5 MB each) and a few PNGs, bulletins with a body and a link (a QR code) —
with the site's side zone and a banner alert, so each screen has every band the player
draws. Each run is a fresh ``python -m kiosk preview`` process timed from its start to its
exit (Python's start, imports, Kivy's window and the sheet's PNG included), with the
command's own phase lines (``-v``): content folder read, slides drawn, sheet written.
One untimed run first (the page cache warm, as on a hub answering its editor); the median
and the extremes of ``--runs`` are printed, with the CPU time of the runs. For reference,
one ``--what week`` and one ``--what kiosk`` of the demo town are timed too.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

TARGET_S = 5.0
PHASES = {
    "read": re.compile(r"content folder read in ([0-9.]+) s"),
    "drawn": re.compile(r"slide\(s\) drawn in ([0-9.]+) s"),
    "sheet": re.compile(r"sheet composed and written in ([0-9.]+) s"),
}


def poster(path: Path, seed: int, size: tuple[int, int], fmt: str) -> None:
    """A picture with a photograph's entropy (noise, blur, shapes), so JPEGs weigh what real ones do."""
    rnd = random.Random(seed)
    w, h = size
    img = Image.effect_noise((w // 4, h // 4), 64).convert("RGB").resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rnd.randrange(w), rnd.randrange(h)
        r = rnd.randrange(20, h // 3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    img = img.filter(ImageFilter.GaussianBlur(2))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format=fmt, quality=88)


def content(root: Path, slides: int) -> Path:
    (root / "playlists").mkdir(parents=True)
    (root / "bulletins").mkdir()
    (root / "site.toml").write_text(
        '[site]\nid = "bench"\ntimezone = "Europe/Paris"\nlanguages = ["fr", "en"]\ndefault_playlist = "hall"\n'
        '[site.name]\nfr = "Ville de Banc-d\'Essai"\nen = "Benchtown"\n'
        '[site.layout]\nside_zone = ["clock", "alerts"]\n', encoding="utf-8")
    items, bulletins = [], ['[[bulletins]]\nid = "vent"\ncategory = "alert"\nseverity = "warning"\nalert = "banner"\n'
                            '[bulletins.title]\nfr = "Vent fort sur la vallée cet après-midi"\n']
    for n in range(slides):
        if n % 4 == 3:
            bulletins.append(
                f'[[bulletins]]\nid = "b{n}"\ncategory = "info"\nseverity = "info"\n'
                f'link = "https://www.example.org/actualites/{n}"\n'
                f'[bulletins.title]\nfr = "Information municipale numéro {n}"\nen = "Town news {n}"\n'
                f'[bulletins.body]\nfr = "Les services de la mairie vous informent : permanence le mardi de 9 h à '
                f'12 h, sur rendez-vous, au centre social. Pensez à apporter vos justificatifs."\n')
            items.append(f'[[items]]\nid = "bulletin-{n}"\ntype = "bulletin"\nbulletin = "b{n}"\nduration = 10\n')
        else:
            fmt, ext = ("PNG", "png") if n % 8 == 5 else ("JPEG", "jpg")
            poster(root / "media" / f"affiche-{n}.{ext}", n, (1920, 1080), fmt)
            items.append(f'[[items]]\nid = "poster-{n}"\ntype = "image"\nfile = "media/affiche-{n}.{ext}"\n'
                         f'duration = 8\n[items.caption]\nfr = "Affiche {n} : une légende de deux lignes au plus pour '
                         f'la présenter"\n')
    (root / "playlists" / "hall.toml").write_text('id = "hall"\n[name]\nfr = "Hall"\n\n' + "\n".join(items),
                                                 encoding="utf-8")
    (root / "bulletins" / "news.toml").write_text("\n".join(bulletins), encoding="utf-8")
    return root


def run(args: list[str]) -> tuple[float, float, dict[str, float], subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "kiosk", "-v", "preview", *args], capture_output=True, text=True,
                       env=env, timeout=300)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"kiosk preview failed ({r.returncode}):\n{r.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    phases = {k: float(m.group(1)) for k, rx in PHASES.items() if (m := rx.search(r.stderr))}
    return wall, cpu, phases, r


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--size", default="1920x1080")
    p.add_argument("--slides", type=int, default=20)
    p.add_argument("--keep", type=Path, default=None, help="copy the last sheet here")
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        src = content(Path(tmp) / "src", a.slides)
        out = Path(tmp) / "sheet.png"
        args = ["--content", str(src), "--at", "2026-12-01T09:00", "--size", a.size, "--out", str(out)]
        run(args)  # warm
        walls, cpus, phases = [], [], []
        for _ in range(a.runs):
            wall, cpu, ph, _r = run(args)
            walls.append(wall)
            cpus.append(cpu)
            phases.append(ph)
        if a.keep:
            a.keep.write_bytes(out.read_bytes())
        load = os.getloadavg()[0]
        print(f"{a.slides}-slide contact sheet at {a.size}, {a.runs} runs (load {load:.1f} on {os.cpu_count()} cores)")
        print(f"  wall s: median {statistics.median(walls):.2f}, min {min(walls):.2f}, max {max(walls):.2f}"
              f"  (target < {TARGET_S:.0f} s: {'met' if statistics.median(walls) < TARGET_S else 'NOT met'})")
        print(f"  CPU s:  median {statistics.median(cpus):.2f}")
        for key in PHASES:
            values = [ph[key] for ph in phases if key in ph]
            if values:
                print(f"  {key:<6} median {statistics.median(values):.2f} s")
        from hub.demo import DEMO_CONTENT

        for what in ("week", "kiosk"):
            wall, cpu, _ph, _r = run(["--content", str(DEMO_CONTENT), "--at", "2026-11-24T09:00", "--what", what,
                                      "--size", a.size, "--out", str(Path(tmp) / f"{what}.png")])
            print(f"  demo town --what {what}: wall {wall:.2f} s, CPU {cpu:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

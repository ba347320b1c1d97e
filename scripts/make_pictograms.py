#!/usr/bin/env python3
"""Render the touch kiosk's pictograms into kiosk/touch/icons/*.png.

    python scripts/make_pictograms.py [--out kiosk/touch/icons] [--svg-dir DIR]

The pictograms are Google's Material Symbols (rounded, filled, weight 400), Apache-2.0,
from the npm package ``@material-symbols/svg-400`` (fetched with ``npm install`` into a
temporary folder unless ``--svg-dir`` names an unpacked copy of it). Each symbol is
rendered white on transparent with cairosvg (the ``dev`` extra; it needs libcairo2) at
every size of :data:`kiosk.touch.pictograms.SIZES`, so the kiosk draws each one from a
file at least as large as it is shown, tinted to the theme's colour: crisp at every size,
without an SVG renderer on the device. The package's licence is copied beside them.
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kiosk.touch.pictograms import PICTOGRAM_DIR, SIZES, SYMBOLS  # noqa: E402

PACKAGE = "@material-symbols/svg-400"
VERSION = "0.48.2"
STYLE = "rounded"


def fetch(tmp: Path) -> Path:
    """Unpack the npm package into ``tmp``; returns its folder."""
    subprocess.run(["npm", "install", "--prefix", str(tmp), "--no-save", "--no-audit", "--no-fund",
                    "--loglevel=error", f"{PACKAGE}@{VERSION}"], check=True)
    return tmp / "node_modules" / PACKAGE


def render(svg: bytes, size: int) -> bytes:
    import cairosvg
    from PIL import Image

    # The symbols' paths have no fill of their own: white, so the kiosk tints them.
    white = svg.replace(b"<svg ", b'<svg fill="#FFFFFF" ', 1)
    png = cairosvg.svg2png(bytestring=white, output_width=size, output_height=size)
    with Image.open(io.BytesIO(png)) as img:
        out = io.BytesIO()
        # Only the alpha matters (the colour is white): a grey+alpha PNG is a third the size.
        img.convert("LA").save(out, format="PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=PICTOGRAM_DIR)
    p.add_argument("--svg-dir", type=Path, default=None, help=f"an unpacked {PACKAGE} (default: npm install)")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        src = a.svg_dir or fetch(Path(tmp))
        version = json.loads((src / "package.json").read_text("utf-8"))["version"]
        a.out.mkdir(parents=True, exist_ok=True)
        for old in a.out.glob("*.png"):
            old.unlink()
        count = 0
        for name, symbol in sorted(SYMBOLS.items()):
            svg = (src / STYLE / f"{symbol}-fill.svg").read_bytes()
            for size in SIZES:
                (a.out / f"{name}-{size}.png").write_bytes(render(svg, size))
                count += 1
        shutil.copy(src / "LICENSE", a.out / "LICENSE")
    (a.out / "README.md").write_text(
        "# Pictograms\n\n"
        f"Material Symbols ({STYLE}, filled, weight 400) by Google, from the npm package `{PACKAGE}` "
        f"{version}, licensed under the Apache License 2.0 (`LICENSE` in this folder).\n"
        "Rendered white on transparent at several sizes by `scripts/make_pictograms.py`; the kiosk "
        "tints them (kiosk/touch/pictograms.py).\n\n"
        "| file name | symbol |\n| --- | --- |\n"
        + "".join(f"| `{name}-<size>.png` | `{symbol}` |\n" for name, symbol in sorted(SYMBOLS.items())),
        encoding="utf-8")
    total = sum(f.stat().st_size for f in a.out.glob("*.png"))
    print(f"{count} pictograms in {a.out} ({total / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

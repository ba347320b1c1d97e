"""Previews in the editor: ``kiosk preview`` (the player's real renderer, offscreen) run in
a subprocess on a stage of the content folder, its PNG (and JSON, and HTML for a week)
kept under a random name in the hub's data folder for the page to show.

``kiosk preview --content DIR --at DATE-TIME [--playlist ID | --device NAME] [--size WxH]
[--orientation landscape|portrait] [--lang LL] [--what loop|kiosk|week] --out FILE.png``
writes FILE.png and FILE.json beside it (FILE.html too for a week); exit 0 on success, 2 on
bad usage, 4 for invalid content (one line per problem).
"""
from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
WHATS = ("loop", "kiosk", "week")
KEEP_S = 3600.0


@dataclass(frozen=True)
class PreviewAsk:
    at: datetime  # local (naive: the site's zone)
    what: str = "loop"
    playlist: str | None = None
    device: str | None = None
    size: tuple[int, int] = (1280, 720)
    orientation: str = "landscape"
    lang: str | None = None

    def args(self) -> list[str]:
        out = ["--at", self.at.strftime("%Y-%m-%dT%H:%M"), "--what", self.what,
               "--size", f"{self.size[0]}x{self.size[1]}", "--orientation", self.orientation]
        if self.playlist:
            out += ["--playlist", self.playlist]
        elif self.device:
            out += ["--device", self.device]
        if self.lang:
            out += ["--lang", self.lang]
        return out


@dataclass(frozen=True)
class Preview:
    ok: bool
    token: str | None = None  # the PNG's name (and its JSON's, and HTML's)
    info: dict[str, Any] | None = None  # FILE.json
    has_html: bool = False
    problems: tuple[str, ...] = ()
    unavailable: bool = False  # this installation has no `kiosk preview`


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether ``kiosk preview`` exists here (asked once per process)."""
    try:
        r = subprocess.run([sys.executable, "-m", "kiosk", "preview", "--help"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def render(stage: Path, ask: PreviewAsk, out_dir: Path, timeout_s: float = 60.0) -> Preview:
    if not available():
        return Preview(False, unavailable=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    _prune(out_dir)
    token = secrets.token_hex(16)
    png = out_dir / f"{token}.png"
    cmd = [sys.executable, "-m", "kiosk", "preview", "--content", str(stage), *ask.args(), "--out", str(png)]
    started = time.monotonic()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return Preview(False, problems=(f"the preview took over {timeout_s:.0f} s",))
    log.info("preview %s %s: exit %s in %.1f s", ask.what, ask.at.isoformat(), r.returncode, time.monotonic() - started)
    lines = tuple(line.removeprefix("kiosk: error: ").replace(f"{stage}/", "")
                  for line in r.stderr.splitlines() if line.strip())
    if r.returncode != 0 or not png.is_file():
        return Preview(False, problems=lines or (f"kiosk preview ended with exit status {r.returncode}",))
    info = None
    with contextlib.suppress(OSError, ValueError):
        info = json.loads(png.with_suffix(".json").read_text("utf-8"))
    return Preview(True, token, info, png.with_suffix(".html").is_file())


def file_of(out_dir: Path, token: str, suffix: str) -> Path | None:
    """A preview's file by its token (validated: never a path from the request)."""
    if not TOKEN_RE.match(token) or suffix not in (".png", ".json", ".html"):
        return None
    path = out_dir / f"{token}{suffix}"
    return path if path.is_file() else None


def _prune(out_dir: Path) -> None:
    limit = time.time() - KEEP_S
    for p in out_dir.glob("*"):
        try:
            if p.stat().st_mtime < limit:
                p.unlink()
        except OSError:
            pass

"""Media decoded at publish time, the way the player will: a file it would skip is said now.

Images go through the player's own header check (format allow-list, pixel-count limit:
``player.render.images``) and a full decode with Pillow; a video through a decoder process
of the player's (``player.render.video_process``) until its first frame, which opens the
container and decodes a picture. Each answer is one line, or None when the file is fine.

A file's answer depends only on its bytes: answers are kept by sha256 in a small JSON file
in the user's cache folder (``$CACHE_DIRECTORY`` under systemd's ``CacheDirectory=``, else
``$XDG_CACHE_HOME`` or ``~/.cache``, ``town-kiosk/media-checks.json``), so the publish timer
decodes a file once, not every five minutes, and an alert is never published later for it.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from content_cache import write_atomic

log = logging.getLogger(__name__)

VIDEO_TIMEOUT_S = 15.0
KEPT = 5000  # answers kept in the cache file, the most recent
_CHECKS_VERSION = 1  # answers of other versions of the checks are not reused


def default_cache_file() -> Path | None:
    base = os.environ.get("CACHE_DIRECTORY", "").split(":")[0] or os.environ.get("XDG_CACHE_HOME", "")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder
            return None
    return Path(base) / "town-kiosk" / "media-checks.json"


def media_problems(files: Mapping[str, tuple[Path, str]], cache: Path | None = None,
                   use_cache: bool = True) -> dict[str, str | None]:
    """sha256 → why the player could not show that file (None: it can), for ``files``
    (sha256 → (path, MIME type)); answers already known are taken from ``cache``."""
    cache = (cache or default_cache_file()) if use_cache else None
    known = _load(cache)
    out: dict[str, str | None] = {}
    changed = False
    for sha, (path, mime) in files.items():
        key = f"{_checks_key()}:{sha}:{mime}"
        if key in known:
            out[sha] = known.pop(key) or None
            known[key] = out[sha] or ""  # most recent last
            continue
        problem, final = media_problem(path, mime)
        out[sha] = problem
        if final:
            known[key] = problem or ""
            changed = True
    if changed:
        _save(cache, known)
    return out


def media_problem(path: Path, mime: str) -> tuple[str | None, bool]:
    """(why the player could not show ``path``, or None; whether that answer is final —
    not when the check itself could not run)."""
    if mime.startswith("image/"):
        return image_problem(path), True
    if mime.startswith("video/"):
        problem = video_problem(path)
        return problem, not (problem or "").startswith("cannot be checked")
    return None, True


def _checks_key() -> str:
    from player.render.images import MAX_PIXELS

    return f"{_CHECKS_VERSION}/{MAX_PIXELS}"


def _load(cache: Path | None) -> dict[str, str]:
    if cache is None:
        return {}
    try:
        data = json.loads(cache.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}


def _save(cache: Path | None, known: dict[str, str]) -> None:
    if cache is None:
        return
    kept = dict(list(known.items())[-KEPT:])
    try:
        write_atomic(cache, json.dumps(kept).encode("utf-8"), sync_dir=False)
    except OSError as e:  # no cache: every publish decodes again, nothing else changes
        log.debug("media checks not kept in %s: %s", cache, e)


def image_problem(path: Path) -> str | None:
    from PIL import Image

    from player.render.images import ImageRejected, inspect_image

    try:
        info = inspect_image(path)
    except ImageRejected as e:
        return str(e).removeprefix(f"{path.name}: ")
    try:
        with Image.open(path) as img:
            img.load()
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        return f"cannot be decoded ({_short(e)}; {info.width}×{info.height} {info.format})"
    return None


def video_problem(path: Path, timeout_s: float = VIDEO_TIMEOUT_S) -> str | None:
    from player.render.video_process import DecoderProcess

    try:
        decoder = DecoderProcess(path, (64, 36))
    except OSError as e:
        return f"cannot be checked: the video decoder did not start ({e.strerror or e})"
    try:
        frame, ended = decoder.take(timeout_s)
        if frame is not None:
            return None
        if ended is not None:
            why = (ended.error or "the clip ended before its first frame").removeprefix(f"{path}: ")
            return f"no picture can be decoded ({why})"
        return f"no picture decoded within {timeout_s:g} s"
    finally:
        decoder.close()
        # wait for it (about 0.1 s): a decoder left to end on its own would hold the
        # publisher's stderr open past its exit (a caller reading it would wait too)
        with contextlib.suppress(subprocess.TimeoutExpired):
            decoder.wait(5)


def _short(e: BaseException) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0][:120] or type(e).__name__

"""Media decoded at publish time, the way the player will: a file it would skip is said now.

Images go through the player's own header check (format allow-list, pixel-count limit:
``player.render.images``) and a full decode with Pillow; a video through a decoder process
of the player's (``player.render.video_process``) until its first frame, which opens the
container and decodes a picture. Each answer is one line, or None when the file is fine.

Results are kept per file (path, size, modification time) for the life of the process,
so an editor that checks the folder again and again decodes each file once.
"""
from __future__ import annotations

import contextlib
import subprocess
from functools import lru_cache
from pathlib import Path

VIDEO_TIMEOUT_S = 15.0


def media_problem(path: Path, mime: str) -> str | None:
    """Why the player could not show ``path`` (of type ``mime``), in one line; None if it can."""
    st = path.stat()
    return _checked(str(path), mime, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=1024)
def _checked(path: str, mime: str, _size: int, _mtime_ns: int) -> str | None:
    if mime.startswith("image/"):
        return image_problem(Path(path))
    if mime.startswith("video/"):
        return video_problem(Path(path))
    return None


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

"""The player's screenshots (``--screenshots``, ``kiosk screenshot``), upright as a person
sees the panel.

With ``display.orientation`` the picture is drawn turned on the panel, so the window's
pixels (what Kivy reads back) lie on their side; the saved PNG is turned back, so a
portrait totem's screenshot is portrait. Kivy side for :class:`ScreenshotSaver`;
:func:`upright` is Pillow only.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)

# The window's pixels → upright: undo the turn of kiosk.app.oriented_root (counterclockwise).
_UNDO = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def upright(path: Path, degrees: int) -> None:
    """Turn the PNG at ``path`` back by ``degrees`` (display.orientation), in place."""
    turn = _UNDO.get(degrees % 360)
    if turn is None:
        return
    with Image.open(path) as img:
        turned = img.transpose(turn)
    tmp = path.with_name(f".{path.name}.tmp")
    turned.save(tmp, format="PNG")
    os.replace(tmp, path)


def save_window(path: Path, degrees: int) -> tuple[int, int]:
    """Save what the window shows into ``path`` (PNG), upright; returns the image's size."""
    from kivy.core.window import Window

    written = Window.screenshot(name=str(path))  # Kivy appends a counter to the name
    if not written:
        raise OSError(f"the window could not be read back into {path}")
    os.replace(written, path)
    upright(path, degrees)
    with Image.open(path) as img:
        return img.size


class ScreenshotSaver:
    """``--screenshots DIR``: one PNG per slide shown and per touch screen drawn, numbered
    in the order they were shown, in every mode."""

    def __init__(self, folder: Path | None, degrees: int) -> None:
        self.folder = folder
        self.degrees = degrees
        self.count = 0
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def save(self, label: str) -> Path | None:
        if self.folder is None:
            return None
        self.count += 1
        path = self.folder / f"{self.count:03d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', label)}.png"
        try:
            save_window(path, self.degrees)
        except OSError as e:
            log.warning("screenshot not saved: %s", e)
            return None
        log.info("screenshot %s", path)
        return path

"""Folders the player writes beside its data (Kivy's own files, prepared images), made
where they can be: a read-only data folder (a read-only mount, another user's folder)
does not stop the player, whose content is read from the cache without writing."""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def writable_folder(folder: Path) -> Path:
    """``folder``, made if missing, when this process can write there; otherwise a folder
    of this user's of the same name in the temporary folder (said once, as a warning)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    other = Path(tempfile.gettempdir()) / f"town-kiosk-{folder.name}-{os.getuid()}"
    other.mkdir(mode=0o700, exist_ok=True)
    log.warning("%s cannot be written: %s is used instead", folder, other)
    return other

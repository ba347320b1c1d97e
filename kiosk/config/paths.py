"""Where a device keeps its data."""
from __future__ import annotations

import os
from pathlib import Path

SYSTEM_DATA_DIR = Path("/var/lib/kiosk")


def default_data_dir() -> Path:
    """``$KIOSK_DATA_DIR``, else /var/lib/kiosk when writable (a device), else the user's."""
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env)
    if SYSTEM_DATA_DIR.is_dir() and os.access(SYSTEM_DATA_DIR, os.W_OK):
        return SYSTEM_DATA_DIR
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "town-kiosk"


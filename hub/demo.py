"""The demo town "Valbruyère": a content folder shipped with the package.

``kiosk demo`` publishes it, the tests and the screen gallery render it, and ``kiosk
doctor`` decodes its clip to check the device's video stack.
"""
from __future__ import annotations

from pathlib import Path

DEMO_CONTENT = Path(__file__).resolve().parent / "demo_content"


def demo_source_dir() -> Path:
    """The demo town's content folder (site.toml, playlists/, bulletins/, kiosk/, media/)."""
    return DEMO_CONTENT

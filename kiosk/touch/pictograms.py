"""Which pictogram each category and alert shows, and which pre-rendered file draws it.

The pictograms are Material Symbols (Apache-2.0; ``icons/LICENSE``), rendered white on
transparent at several sizes by ``scripts/make_pictograms.py`` into ``icons/``. The kiosk
draws the smallest file at least as large as the pictogram is shown (the GPU only ever
scales down, by less than half), tinted to the theme's colour. Pure Python: no Kivy.
"""
from __future__ import annotations

from pathlib import Path

PICTOGRAM_DIR = Path(__file__).resolve().parent / "icons"
SIZES = (24, 32, 48, 64, 96, 128, 192, 256, 384)

# Our name → the Material Symbols name it is rendered from.
SYMBOLS: dict[str, str] = {
    "alerts": "warning",
    "services": "schedule",
    "menus": "restaurant",
    "procedures": "description",
    "agenda": "event",
    "news": "newspaper",
    "places": "location_on",
    "numbers": "call",
    "info": "info",
    "touch": "touch_app",
    "more-below": "keyboard_double_arrow_down",
    "chevron": "chevron_right",
    "back": "arrow_back",
    "home": "home",
}
# A category's pictogram has the category's name; an alert's depends on its severity.
SEVERITY_PICTOGRAMS = {"critical": "alerts", "warning": "alerts", "info": "info"}


def pictogram_for(category: str) -> str:
    """The pictogram of a home category or list ("" when there is none)."""
    return category if category in SYMBOLS else ""


def pictogram_file(name: str, size_px: float) -> Path | None:
    """The file drawing pictogram ``name`` at ``size_px`` pixels: the smallest rendered size
    at least that large (the largest for anything bigger); None for an unknown name."""
    if name not in SYMBOLS:
        return None
    size = next((s for s in SIZES if s >= size_px), SIZES[-1])
    return PICTOGRAM_DIR / f"{name}-{size}.png"

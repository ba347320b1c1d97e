"""How the host application configures the touch UI."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .admin import AdminActions, AdminInfo

LANGUAGE_NAMES = {"fr": "Français", "en": "English", "es": "Español", "de": "Deutsch"}


@dataclass(frozen=True)
class TouchOptions:
    languages: tuple[str, ...] = ("fr", "en", "es", "de")  # the first is the default
    idle_timeout_s: float = 90.0  # without a touch, then "Still there?"
    countdown_s: float = 30.0  # visible countdown before the reset (at least 20 s)
    # Physical pixel density of the screen (None: ask Kivy); targets are sized from it.
    dpi: float | None = None
    admin_pin_hash: str | None = None  # see kiosk.touch.admin.make_pin_hash; None: no overlay
    admin_hold_s: float = 5.0  # press in the top-left corner this long to ask for the PIN
    admin_info: Callable[[], AdminInfo] | None = None
    admin_actions: AdminActions = field(default_factory=AdminActions)
    # sha256 → file of an image in the media store (the host passes its store's path_for).
    media_path: Callable[[str], Path] | None = None
    # Where page images are downscaled to the screen (player.render.images), as the
    # loop's slides are; None: a temporary folder of the process.
    derived_dir: Path | None = None
    read_aloud: bool = True  # offer it when espeak-ng is installed
    # Hybrid mode: the share of the screen's height the host's loop keeps at the bottom
    # (its status bar, a bottom ticker); the "touch to start" band sits above it.
    attract_band_y: float = 0.0

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else "fr"

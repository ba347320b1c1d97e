"""Colours and sizes of the touch UI, and the accessibility arithmetic behind them.

Pure Python, so the contrast and target-size rules (EN 301 549, RGAA: text contrast at
least 4.5:1, touch targets at least 9 mm) are checked on the values themselves, and the
Kivy side only reads them.
"""
from __future__ import annotations

from dataclasses import dataclass

# One contrast arithmetic (WCAG 2.x) for every screen: player.severity's contrast_ratio,
# with the severity colours it checks; the touch UI's colours are checked with it too.
from player.severity import DARK, LIGHT, RGBA, SeverityPalette, hex_colour

MIN_TARGET_MM = 9.0
MM_PER_INCH = 25.4


def mm_to_px(mm: float, dpi: float) -> float:
    return mm / MM_PER_INCH * dpi


def px_to_mm(px: float, dpi: float) -> float:
    return px * MM_PER_INCH / dpi


def dpi_for(size_px: tuple[int, int], diagonal_inches: float) -> float:
    """Physical pixel density of a screen from its resolution and diagonal."""
    w, h = size_px
    return (w * w + h * h) ** 0.5 / diagonal_inches


def screen_dpi(window_width_px: float, *, dpi: float | None = None, width_mm: float | None = None,
               fallback: float = 96.0) -> float:
    """The density targets are sized from: the configured ``dpi``, else the window's width in
    pixels over the picture's physical ``width_mm``, else ``fallback`` (what the system says)."""
    if dpi:
        return float(dpi)
    if width_mm and window_width_px > 0:
        return window_width_px * MM_PER_INCH / width_mm
    return float(fallback)


@dataclass(frozen=True)
class Theme:
    """Every colour the UI paints. Text roles are paired with the surface they sit on."""

    name: str
    background: RGBA  # page behind everything
    text: RGBA  # body text on background and on surface
    muted: RGBA  # secondary text on background and on surface
    surface: RGBA  # list rows, category tiles
    header: RGBA  # title band
    header_text: RGBA
    button: RGBA  # navigation and action buttons
    button_text: RGBA
    selected: RGBA  # the current language, an active filter, a toggled mode
    selected_text: RGBA
    open_text: RGBA  # "Open now" on surface/background
    closed_text: RGBA  # "Closed" on surface/background
    outline: RGBA  # borders of targets (not text)
    overlay: RGBA  # dialogs (idle countdown, admin)
    overlay_text: RGBA
    # Alerts (tiles, list rows, the banner, the full-screen card): player.severity's
    # colours, the same as on the signage loop's banner and ticker.
    severity: SeverityPalette = LIGHT

    def text_pairs(self) -> dict[str, tuple[RGBA, RGBA]]:
        """Every (text colour, background colour) combination the UI draws."""
        pairs: dict[str, tuple[RGBA, RGBA]] = {}
        for bg_name in ("background", "surface"):
            for fg_name in ("text", "muted", "open_text", "closed_text"):
                pairs[f"{fg_name} on {bg_name}"] = (getattr(self, fg_name), getattr(self, bg_name))
        for fg_name, bg_name in (("header_text", "header"), ("button_text", "button"),
                                 ("selected_text", "selected"), ("overlay_text", "overlay")):
            pairs[f"{fg_name} on {bg_name}"] = (getattr(self, fg_name), getattr(self, bg_name))
        for name in ("critical", "warning", "info"):
            style = self.severity.style(name)
            pairs[f"{name} text on its fill"] = (style.on_fill, style.fill)
            pairs[f"{name} ink on background"] = (style.ink, self.background)
            pairs[f"{name} ink on surface"] = (style.ink, self.surface)
        return pairs


# Each role's colour in the standard and the high-contrast theme, side by side.
PALETTE: dict[str, tuple[str, str]] = {
    # role            standard    high contrast
    "background":     ("#F3F1EC", "#000000"),
    "text":           ("#1B1D21", "#FFFFFF"),
    "muted":          ("#4A4F57", "#E6E6E6"),
    "surface":        ("#FFFFFF", "#111111"),
    "header":         ("#1F3A5F", "#000000"),
    "header_text":    ("#FFFFFF", "#FFFF00"),
    "button":         ("#1F3A5F", "#FFFF00"),
    "button_text":    ("#FFFFFF", "#000000"),
    "selected":       ("#0B6E4F", "#00FFFF"),
    "selected_text":  ("#FFFFFF", "#000000"),
    "open_text":      ("#1D6B35", "#7CFF8A"),
    "closed_text":    ("#A3161A", "#FFA0A0"),
    "outline":        ("#1F3A5F", "#FFFFFF"),
    "overlay":        ("#102A43", "#000000"),
    "overlay_text":   ("#FFFFFF", "#FFFFFF"),
}


def _theme(name: str, column: int, severity: SeverityPalette) -> Theme:
    return Theme(name=name, severity=severity, **{role: hex_colour(pair[column]) for role, pair in PALETTE.items()})


STANDARD = _theme("standard", 0, LIGHT)  # paper background: the light theme's severity inks
HIGH_CONTRAST = _theme("high-contrast", 1, DARK)  # black background: the dark theme's

THEMES = {t.name: t for t in (STANDARD, HIGH_CONTRAST)}


@dataclass(frozen=True)
class Sizes:
    """Pixel sizes for one screen: targets never under 9 mm, text readable at arm's length."""

    target: float  # minimum height and width of anything touchable
    pad: float
    font_small: float
    font_body: float
    font_title: float
    font_huge: float


def sizes_for(window: tuple[int, int], dpi: float, large_text: bool = False) -> Sizes:
    """Sizes relative to the screen's short side, with physical floors from its DPI."""
    short = min(window)
    scale = 1.3 if large_text else 1.0
    target = max(mm_to_px(12.0, dpi), short * 0.075)  # 12 mm leaves margin over the 9 mm rule
    body = max(mm_to_px(4.5, dpi), short * 0.027) * scale
    return Sizes(
        target=round(target),
        pad=round(max(mm_to_px(2.0, dpi), short * 0.015)),
        font_small=round(max(mm_to_px(3.8, dpi), short * 0.022) * scale),
        font_body=round(body),
        font_title=round(max(mm_to_px(7.0, dpi), short * 0.045) * scale),
        font_huge=round(max(mm_to_px(10.0, dpi), short * 0.07) * scale),
    )

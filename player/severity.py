"""Severity colours, defined once for every screen: critical red, warning amber,
information blue. Pure Python (no Kivy), so the signage loop (banner, ticker, slides) and
the touch kiosk paint alerts with the same values, and the contrast rule (text at least
4.5:1, WCAG 2.x / EN 301 549) is checked on the values themselves.

Two themes: ``dark`` (the signage loop's background, and the kiosk's high-contrast black)
and ``light`` (the kiosk's standard paper background). In each, a severity has

- ``fill``: a band, card or slide painted in the severity, with ``on_fill`` text on it;
- ``ink``: the severity colour used as text or a marker directly on the theme's background.
"""
from __future__ import annotations

from dataclasses import dataclass

RGBA = tuple[float, float, float, float]
MIN_CONTRAST = 4.5
SEVERITIES = ("critical", "warning", "info")


def hex_colour(value: str, alpha: float = 1.0) -> RGBA:
    value = value.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


def relative_luminance(colour: tuple[float, ...]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (components 0…1)."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = colour[:3]
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast_ratio(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    """WCAG contrast ratio, 1…21. A translucent foreground is blended over ``bg`` first."""
    alpha = fg[3] if len(fg) > 3 else 1.0
    blended = tuple(f * alpha + b * (1 - alpha) for f, b in zip(fg[:3], bg[:3], strict=False))
    hi, lo = sorted((relative_luminance(blended), relative_luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class SeverityStyle:
    fill: RGBA
    on_fill: RGBA
    ink: RGBA


@dataclass(frozen=True)
class SeverityPalette:
    theme: str
    background: RGBA
    critical: SeverityStyle
    warning: SeverityStyle
    info: SeverityStyle

    def style(self, severity: str | None) -> SeverityStyle:
        """The style of ``severity``; an unknown one is shown as information."""
        return getattr(self, severity) if severity is not None and severity in SEVERITIES else self.info

    def text_pairs(self) -> dict[str, tuple[RGBA, RGBA]]:
        """Every (text, background) pair this palette promises at least 4.5:1 for."""
        pairs: dict[str, tuple[RGBA, RGBA]] = {}
        for name in SEVERITIES:
            s = self.style(name)
            pairs[f"{name}: text on fill"] = (s.on_fill, s.fill)
            pairs[f"{name}: ink on background"] = (s.ink, self.background)
        return pairs


WHITE = hex_colour("#FFFFFF")
INK_BLACK = hex_colour("#1B1D21")

# The fills are the same in both themes, so an alert looks the same on every screen.
_FILL = {
    "critical": (hex_colour("#B3261E"), WHITE),   # white on red 6.5:1
    "warning": (hex_colour("#F2A900"), INK_BLACK),  # near-black on amber 8.4:1
    "info": (hex_colour("#1F5FAD"), WHITE),       # white on blue 6.4:1
}
# The severity as text on each theme's background.
_INK = {
    "dark": {"critical": "#FF8A80", "warning": "#FFC233", "info": "#8AB4F8"},
    "light": {"critical": "#A3161A", "warning": "#8A5300", "info": "#1F4E8C"},
}
_BACKGROUND = {"dark": "#101418", "light": "#F3F1EC"}


def _palette(theme: str) -> SeverityPalette:
    styles = {
        name: SeverityStyle(fill=_FILL[name][0], on_fill=_FILL[name][1], ink=hex_colour(_INK[theme][name]))
        for name in SEVERITIES
    }
    return SeverityPalette(theme=theme, background=hex_colour(_BACKGROUND[theme]), **styles)


DARK = _palette("dark")
LIGHT = _palette("light")
PALETTES = {p.theme: p for p in (DARK, LIGHT)}


def severity_style(severity: str | None, theme: str = "dark") -> SeverityStyle:
    """The colours of ``severity`` in ``theme`` (``dark`` or ``light``)."""
    return PALETTES[theme].style(severity)

"""Contrast (at least 4.5:1 for all text) and touch target sizes (at least 9 mm)."""
from __future__ import annotations

import pytest

from kiosk.touch.theme import (
    MIN_CONTRAST,
    MIN_TARGET_MM,
    THEMES,
    contrast_ratio,
    dpi_for,
    hex_colour,
    px_to_mm,
    sizes_for,
)


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio(hex_colour("#000000"), hex_colour("#FFFFFF")) == pytest.approx(21.0)
    assert contrast_ratio(hex_colour("#777777"), hex_colour("#FFFFFF")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(hex_colour("#123456"), hex_colour("#123456")) == pytest.approx(1.0)


def test_translucent_text_is_blended_before_measuring() -> None:
    assert contrast_ratio((1, 1, 1, 0.3), hex_colour("#FFFFFF")) == pytest.approx(1.0)


@pytest.mark.parametrize("theme", list(THEMES.values()), ids=list(THEMES))
def test_every_text_colour_of_each_theme_reaches_4_5_to_1(theme) -> None:
    low = {name: round(contrast_ratio(fg, bg), 2) for name, (fg, bg) in theme.text_pairs().items()
           if contrast_ratio(fg, bg) < MIN_CONTRAST}
    assert not low, f"{theme.name}: {low}"


def test_high_contrast_theme_is_at_least_as_contrasted_as_the_standard_one() -> None:
    std, hc = THEMES["standard"].text_pairs(), THEMES["high-contrast"].text_pairs()
    for name in std:
        assert contrast_ratio(*hc[name]) >= min(contrast_ratio(*std[name]), 7.0), name


@pytest.mark.parametrize(
    ("size", "diagonal"),
    [((1920, 1080), 21.5), ((1080, 1920), 55.0), ((1280, 800), 10.1), ((800, 480), 7.0), ((3840, 2160), 32.0)],
)
@pytest.mark.parametrize("large", [False, True])
def test_targets_are_at_least_9_mm_on_the_real_screen(size: tuple[int, int], diagonal: float, large: bool) -> None:
    dpi = dpi_for(size, diagonal)
    sizes = sizes_for(size, dpi, large)
    assert px_to_mm(sizes.target, dpi) >= MIN_TARGET_MM
    assert px_to_mm(sizes.font_small, dpi) >= 3.5  # legible at arm's length


def test_large_text_mode_enlarges_every_font() -> None:
    normal, large = sizes_for((1920, 1080), 102), sizes_for((1920, 1080), 102, large_text=True)
    for name in ("font_small", "font_body", "font_title", "font_huge"):
        assert getattr(large, name) >= getattr(normal, name) * 1.25

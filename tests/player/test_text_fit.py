"""Fitting text into a box (player.render.text_fit), with a fixed-pitch measure: wrapping,
hyphenation by language, stepping the size down to the floor, then the ellipsis."""
from __future__ import annotations

import pytest

from player.render.text_fit import ELLIPSIS, fit_text, hyphenation_points, wrap


def measure(text: str, size: float) -> float:
    return len(text) * size * 0.5


def line_height(size: float) -> float:
    return size * 1.2


def test_short_text_keeps_the_largest_size() -> None:
    fit = fit_text("Conseil municipal", 400, 100, max_size=40, min_size=16, measure=measure, line_height=line_height)
    assert fit.lines == ("Conseil municipal",) and fit.font_size == 40 and not fit.shortened


def test_no_line_is_wider_than_the_box_and_the_lines_fit_its_height() -> None:
    text = "Renouvellement du réseau d'eau du 2 au 20 décembre. Circulation alternée, bus 3 dévié. " * 3
    fit = fit_text(text, 300, 160, max_size=40, min_size=12, measure=measure, line_height=line_height)
    assert all(measure(line, fit.font_size) <= 300 for line in fit.lines)
    assert fit.height <= 160 and not fit.shortened and fit.font_size < 40


@pytest.mark.parametrize("lang, word", [("de", "Donaudampfschifffahrtsgesellschaftskapitän"),
                                        ("fr", "anticonstitutionnellement"),
                                        ("en", "internationalisation")])
def test_a_word_longer_than_the_line_breaks_at_its_hyphenation_points(lang: str, word: str) -> None:
    lines, broken = wrap(word, 150, 20, measure, lang)
    assert len(lines) > 1 and not broken
    points = hyphenation_points(word, lang)
    cut = 0
    for line in lines[:-1]:
        assert line.endswith("-")
        cut += len(line) - 1
        assert cut in points, (line, points)
    assert "".join(ln.rstrip("-") for ln in lines) == word


def test_a_word_without_hyphenation_points_breaks_between_letters_as_a_last_resort() -> None:
    lines, broken = wrap("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 150, 20, measure, "fr")
    assert broken and all(measure(ln, 20) <= 150 for ln in lines)


def test_paragraphs_are_kept() -> None:
    lines, _ = wrap("Première ligne.\nSeconde ligne.", 1000, 20, measure, "fr")
    assert lines == ["Première ligne.", "Seconde ligne."]


def test_what_does_not_fit_at_the_floor_ends_with_an_ellipsis_at_a_word() -> None:
    text = "Permanence sans rendez-vous au centre social, chaque mardi de 9 h à 12 h. " * 20
    fit = fit_text(text, 300, 100, max_size=40, min_size=16, measure=measure, line_height=line_height)
    assert fit.shortened and fit.font_size == 16
    assert fit.height <= 100 and fit.lines[-1].endswith(ELLIPSIS)
    last_word = fit.lines[-1][:-1].split()[-1]
    assert last_word in text.split() or last_word.rstrip(",.") in text.replace(",", " ").split()


def test_max_lines_is_honoured() -> None:
    fit = fit_text("un deux trois quatre cinq six sept huit neuf dix", 60, 1000, max_size=20, min_size=20,
                   measure=measure, line_height=line_height, max_lines=2)
    assert len(fit.lines) == 2 and fit.lines[-1].endswith(ELLIPSIS)


def test_dictionaries_loaded_ahead_are_not_loaded_again_when_a_text_is_fitted() -> None:
    from player.render import text_fit

    text_fit._dictionary.cache_clear()
    text_fit.load_dictionaries(["de", "es"])
    loaded = text_fit._dictionary.cache_info()
    assert loaded.misses == 2
    assert text_fit.hyphenation_points("Straßenbahnhaltestelle", "de")
    assert text_fit._dictionary.cache_info().misses == 2  # a hit: nothing read on the UI thread

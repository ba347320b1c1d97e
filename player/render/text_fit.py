"""Fitting a text into a box: wrap, hyphenate long words, step the size down to a readable
floor, and only then end with an ellipsis. Pure Python (no Kivy): the caller gives the
function that measures a line at a font size, so the rules are tested without a window and
the Kivy side (:mod:`player.render.fitted_label`) only draws the lines it gets back.

Never a sliced glyph: every line returned is at most the box's width as measured, and the
lines' total height (``rows × line height``) at most its height, so the renderer never has
to clip. Words are broken at the hyphenation points of the text's language (pyphen's
dictionaries); a word with no usable point (a long URL, a code) is broken between letters
as a last resort.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pyphen

log = logging.getLogger(__name__)

ELLIPSIS = "…"
HYPHEN = "-"
# Each step down is about this much smaller: fine enough that a text is not made much
# smaller than it needs, coarse enough that a long text finds its size in a few tries.
SIZE_STEP = 0.92
SIZE_LADDER = tuple(sorted({round(10 * SIZE_STEP ** -k) for k in range(40)}))
# A word this long may be split to fill the end of a line that would otherwise be left
# with more than this share of its width empty; shorter words simply move down.
HYPHENATE_MIN_CHARS = 9
RAGGED_SHARE = 0.3
# pyphen's dictionary for each display language (the kiosk's four, then pyphen's guess).
DICTIONARIES = {"fr": "fr", "de": "de_DE", "en": "en_GB", "es": "es"}

Measure = Callable[[str, float], float]  # (one line of text, font size) -> width in pixels


@dataclass(frozen=True)
class FittedText:
    """Lines to draw at ``font_size``; ``shortened``: the text did not fit at the floor and
    its last line ends with an ellipsis; ``broken_words``: a word had to be cut between
    letters (no hyphenation point fitted)."""

    lines: tuple[str, ...]
    font_size: float
    line_height: float
    shortened: bool = False
    broken_words: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def height(self) -> float:
        return len(self.lines) * self.line_height


@lru_cache(maxsize=8)
def _dictionary(lang: str) -> pyphen.Pyphen | None:
    name = DICTIONARIES.get(lang, lang)
    try:
        return pyphen.Pyphen(lang=name)
    except KeyError:  # no dictionary for this language: words break between letters
        log.info("no hyphenation dictionary for %r", lang)
        return None


def load_dictionaries(langs: list[str]) -> None:
    """Load the hyphenation dictionaries of ``langs`` now (pyphen reads and compiles its
    patterns: 80-140 ms for French here), e.g. on a worker thread before the first text
    that needs one is fitted on the UI thread."""
    for lang in langs:
        _dictionary(lang)


def hyphenation_points(word: str, lang: str) -> list[int]:
    """Positions inside ``word`` where it may be broken with a hyphen (increasing)."""
    d = _dictionary(lang)
    if d is None or len(word) < 4:
        return []
    # pyphen works on the letters: keep leading/trailing punctuation out of its way.
    start = 0
    while start < len(word) and not word[start].isalpha():
        start += 1
    end = len(word)
    while end > start and not word[end - 1].isalpha():
        end -= 1
    core = word[start:end]
    if HYPHEN in core:  # an already hyphenated compound breaks after its own hyphens
        return [start + i + 1 for i, c in enumerate(core[:-1]) if c == HYPHEN]
    return [start + p for p in d.positions(core)]


def _head(word: str, points: list[int], room: float, size: float, measure: Measure) -> int:
    """The last break point of ``word`` whose head plus a hyphen fits ``room`` (0: none)."""
    best = 0
    for p in points:
        head = word[:p] if word[p - 1] == HYPHEN else word[:p] + HYPHEN
        if measure(head, size) <= room:
            best = p
        else:
            break
    return best


def _letters_that_fit(word: str, room: float, size: float, measure: Measure) -> int:
    """How many leading letters of ``word`` plus a hyphen fit ``room`` (at least one)."""
    lo, hi = 1, len(word) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(word[:mid] + HYPHEN, size) <= room:
            lo = mid
        else:
            hi = mid - 1
    return max(1, lo)


def wrap(text: str, width: float, size: float, measure: Measure, lang: str = "fr") -> tuple[list[str], bool]:
    """``text``'s lines at ``size`` within ``width``; paragraphs (newlines) are kept.
    Returns the lines and whether a word had to be cut between letters."""
    lines: list[str] = []
    broken = False
    for paragraph in text.split("\n"):
        words = paragraph.split()
        line = ""
        i = 0
        while i < len(words):
            word = words[i]
            candidate = f"{line} {word}" if line else word
            if measure(candidate, size) <= width:
                line = candidate
                i += 1
                continue
            # The word does not fit on this line.
            prefix = f"{line} " if line else ""
            room = width - measure(prefix, size) if line else width
            long_word = measure(word, size) > width
            ragged = line and (width - measure(line, size)) > width * RAGGED_SHARE
            if long_word or (ragged and len(word) >= HYPHENATE_MIN_CHARS):
                cut = _head(word, hyphenation_points(word, lang), room, size, measure)
                if cut == 0 and not line and long_word:
                    cut = _letters_that_fit(word, width, size, measure)
                    broken = True
                if cut:
                    head = word[:cut] if word[cut - 1] == HYPHEN else word[:cut] + HYPHEN
                    lines.append(prefix + head)
                    words[i] = word[cut:]
                    line = ""
                    continue
            if line:
                lines.append(line)
                line = ""
            else:  # a single unbreakable word wider than the box: cannot happen (cut above)
                lines.append(word)
                i += 1
        lines.append(line)
    # Blank lines between paragraphs are kept; trailing blanks are not.
    while lines and not lines[-1]:
        lines.pop()
    return lines, broken


def _with_ellipsis(line: str, width: float, size: float, measure: Measure) -> str:
    """``line`` shortened at a word (else a letter) so that it ends with an ellipsis."""
    words = line.rstrip(" ").split(" ")
    if len(words) > 1 and words[-1].endswith(HYPHEN):
        words.pop()  # the head of a hyphenated word: "… Circula-" would read "Circula…"
    while words:
        candidate = " ".join(words).rstrip(" ,;:.-–") + ELLIPSIS
        if measure(candidate, size) <= width:
            return candidate
        if len(words) == 1:
            word = words[0]
            while word and measure(word + ELLIPSIS, size) > width:
                word = word[:-1]
            return word + ELLIPSIS
        words.pop()
    return ELLIPSIS


def fit_text(
    text: str,
    width: float,
    height: float,
    *,
    max_size: float,
    min_size: float,
    measure: Measure,
    line_height: Callable[[float], float],
    lang: str = "fr",
    max_lines: int | None = None,
) -> FittedText:
    """The largest size, from ``max_size`` down to ``min_size``, at which ``text`` wraps
    into the box with no word cut between letters; at the floor, what does not fit is
    dropped and the last line kept ends with an ellipsis."""
    text = text.strip()
    if not text or width <= 0 or height <= 0:
        return FittedText((), max_size, line_height(max_size))
    min_size = min(min_size, max_size)
    # Sizes tried: max_size, then the ladder's sizes below it down to the floor. Every text
    # then shares a few dozen sizes, so the font provider keeps a few dozen fonts open.
    ladder = [max_size] + [s for s in SIZE_LADDER if min_size < s < max_size][::-1] + [min_size]
    for size in ladder:
        lh = line_height(size)
        rows = int(height // lh) if lh > 0 else 0
        if max_lines is not None:
            rows = min(rows, max_lines)
        lines, broken = wrap(text, width, size, measure, lang)
        if len(lines) <= rows and (not broken or size <= min_size):
            return FittedText(tuple(lines), size, lh, broken_words=broken)
    if rows <= 0:
        return FittedText((), size, lh, shortened=True, broken_words=broken)
    kept = lines[:rows]
    kept[-1] = _with_ellipsis(kept[-1], width, size, measure)
    return FittedText(tuple(kept), size, lh, shortened=True, broken_words=broken)


"""Contact sheets: screens drawn small in a grid, each with its label lines, under a
heading. Pillow only (no Kivy): the screens come in as images.

The player's own font (Roboto, shipped with Kivy) is found on disk without importing Kivy.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PAGE = (244, 245, 247)
INK = (24, 28, 33)
MUTED = (88, 96, 105)
PROBLEM = (178, 34, 34)  # 6.4:1 on the page
FRAME = (200, 204, 209)
TILE_LONG_SIDE = 480  # px: a full-HD screen at a quarter
MARGIN = 24
GAP = 20
LINE = 22  # label line height
HEAD_LINE = 34


@dataclass(frozen=True)
class Label:
    """One line under a tile: ``tone`` is "strong", "text", "muted" or "problem"."""

    text: str
    tone: str = "text"


@dataclass(frozen=True)
class SheetTile:
    image: Image.Image
    labels: tuple[Label, ...]
    marked: bool = False  # framed in the problem colour (not shown, withheld…)


@lru_cache(maxsize=1)
def fonts_dir() -> Path | None:
    spec = importlib.util.find_spec("kivy")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "data" / "fonts"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    folder = fonts_dir()
    name = "Roboto-Bold.ttf" if bold else "Roboto-Regular.ttf"
    if folder is not None and (folder / name).is_file():
        return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


def fit_text(text: str, face: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> str:
    """``text`` shortened with an ellipsis to ``width`` pixels."""
    text = " ".join(text.split())
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def tile_size(screen: tuple[int, int], long_side: int = TILE_LONG_SIDE) -> tuple[int, int]:
    w, h = screen
    scale = long_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def columns_for(count: int, portrait: bool) -> int:
    """Columns of a sheet of ``count`` tiles: roughly as wide as it is tall."""
    if count <= 1:
        return 1
    if count <= 4:
        return 2 if not portrait or count <= 2 else min(count, 4)
    return min(4 if not portrait else 6, max(3, round(count ** 0.5)))


Box = tuple[int, int, int, int]  # x, y, width, height on the sheet (y from the top)


def compose(tiles: Sequence[SheetTile], heading: Sequence[Label], *, screen: tuple[int, int],
            columns: int | None = None) -> tuple[Image.Image, list[Box]]:
    """The sheet: ``heading`` lines, then the tiles left to right, top to bottom; and where
    each tile's screen is on it (for a page that links them)."""
    tw, th = tile_size(screen)
    cols = columns or columns_for(len(tiles), screen[1] > screen[0])
    rows = max(1, -(-len(tiles) // cols))
    label_lines = max((len(t.labels) for t in tiles), default=0)
    cell_h = th + 8 + label_lines * LINE
    width = MARGIN * 2 + cols * tw + (cols - 1) * GAP
    head_h = len(heading) * HEAD_LINE + (12 if heading else 0)
    height = MARGIN * 2 + head_h + rows * cell_h + (rows - 1) * GAP
    sheet = Image.new("RGB", (width, height), PAGE)
    draw = ImageDraw.Draw(sheet)
    y = MARGIN
    for i, line in enumerate(heading):
        face = font(26 if i == 0 else 19, bold=i == 0)
        draw.text((MARGIN, y), fit_text(line.text, face, width - 2 * MARGIN), font=face, fill=_tone(line.tone))
        y += HEAD_LINE
    top = y + (12 if heading else 0)
    boxes: list[Box] = []
    for n, tile in enumerate(tiles):
        r, c = divmod(n, cols)
        x = MARGIN + c * (tw + GAP)
        ty = top + r * (cell_h + GAP)
        # reducing_gap: a screen four times the tile is first halved by whole pixels, then
        # resampled: twice as fast, 0.1/255 from Lanczos all the way.
        small = tile.image.convert("RGB").resize((tw, th), Image.Resampling.LANCZOS, reducing_gap=2.0)
        sheet.paste(small, (x, ty))
        boxes.append((x, ty, tw, th))
        draw.rectangle((x - 1, ty - 1, x + tw, ty + th), outline=PROBLEM if tile.marked else FRAME,
                       width=3 if tile.marked else 1)
        ly = ty + th + 6
        for label in tile.labels:
            face = font(17, bold=label.tone == "strong")
            draw.text((x, ly), fit_text(label.text, face, tw), font=face, fill=_tone(label.tone))
            ly += LINE
    return sheet, boxes


def _tone(tone: str) -> tuple[int, int, int]:
    return {"problem": PROBLEM, "muted": MUTED}.get(tone, INK)


def save_png(image: Image.Image, path: Path) -> None:
    """Written beside its final name, then renamed: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.part")
    image.save(tmp, format="PNG", compress_level=1)
    tmp.replace(path)

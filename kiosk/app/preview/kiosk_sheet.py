"""The touch kiosk's contact sheet: the attract screen and the home, then each category's
list and detail side by side (two categories a row: a category's pages never split
across rows). Pure (Pillow, no Kivy); the pages come drawn by the touch UI
(:mod:`kiosk.touch.testing.pages`).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PIL import Image

from content_cache import LiveContent
from kiosk.app.preview.loop_sheet import when_text
from kiosk.app.preview.sheet import PAGE, Label, SheetTile, compose
from player.i18n import gettext_for

if TYPE_CHECKING:
    from kiosk.touch.testing.pages import KioskPage

COLUMNS = 4  # attract + home, then two categories (list + detail) a row


def kiosk_sheet(pages: Sequence[KioskPage], shots: Path, content: LiveContent, at: datetime, lang: str,
                screen: tuple[int, int]) -> tuple[Image.Image, list[dict[str, Any]]]:
    """The sheet, and the pages' facts for its JSON (with each one's box on the sheet)."""
    _ = gettext_for(lang)
    tz = ZoneInfo(content.timezone)
    cells: list[tuple[KioskPage | None, SheetTile]] = []
    for page in pages:
        if page.page == "list" and cells and len(cells) % 2:
            cells.append((None, _blank(screen)))  # the previous category had no detail page
        image = Image.open(shots / f"{page.shot}.png")
        image.load()
        if page.page == "attract":
            labels = (Label(_("Attract screen"), "strong"), Label(page.title, "muted"))
        elif page.page == "home":
            labels = (Label(_("Home"), "strong"), Label(page.title, "muted"))
        elif page.page == "list":
            labels = (Label(page.category_label, "strong"), Label(_("List"), "muted"))
        else:
            labels = (Label(page.title, "strong"), Label(page.category_label, "muted"))
        cells.append((page, SheetTile(image, labels)))
    heading = [Label(f"{content.site_name.get(lang)} · {_('Touch kiosk')}", "strong"),
               Label(when_text(at, tz, lang), "text")]
    sheet, boxes = compose([tile for _page, tile in cells], heading, screen=screen, columns=COLUMNS)
    facts = []
    for (shown, _tile), box in zip(cells, boxes, strict=True):
        if shown is None:
            continue
        entry: dict[str, Any] = {"page": shown.page, "title": shown.title, "box": list(box)}
        if shown.category:
            entry["category"] = shown.category
        if shown.doc_id:
            entry["doc_id"] = shown.doc_id
        facts.append(entry)
    return sheet, facts


def _blank(screen: tuple[int, int]) -> SheetTile:
    return SheetTile(Image.new("RGB", screen, PAGE), ())

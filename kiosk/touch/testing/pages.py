"""The touch kiosk's pages for a preview: the attract screen, the home and, for each
category the home shows, its list and the detail page of its first document, drawn by the
touch UI itself through the harness (:class:`kiosk.touch.testing.app.HarnessApp`), in the
calling process (``kiosk preview --what kiosk``: one Kivy window per process).

:func:`kiosk_tour` decides the pages without Kivy, from the same page builders the
screens lay out (:class:`kiosk.touch.pages.PageBuilder`); :func:`draw_pages` runs it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from content_cache import LiveContent
from kiosk.touch.catalogue import build_catalogue
from kiosk.touch.details import DetailBuilder

GALLERY_DPI = 102.0  # the screen gallery's (kiosk.touch.testing.harness): a 21.5-inch full-HD panel


@dataclass(frozen=True)
class KioskPage:
    """One page of the tour: ``page`` is attract, home, list or detail; ``shot`` its file's
    name in the output folder once drawn."""

    page: str
    shot: str
    title: str
    category: str = ""
    category_label: str = ""
    doc_id: str = ""


def kiosk_tour(content: LiveContent, now: datetime, lang: str) -> tuple[list[dict[str, Any]], list[KioskPage]]:
    """The harness steps drawing every page, and the pages they draw, in order."""
    builder = DetailBuilder(build_catalogue(content), lang, now)
    _ = builder._
    home = builder.home()
    steps: list[dict[str, Any]] = [{"shot": "00-attract"}, {"call": "start_session", "args": [lang]},
                                   {"shot": "01-home"}]
    pages = [KioskPage("attract", "00-attract", builder.t(content.site_name)),
             KioskPage("home", "01-home", home.title)]
    for n, tile in enumerate(home.tiles, start=1):
        listing = builder.list_page(tile.category)
        shot = f"{n:02d}-list-{tile.category}"
        steps += [{"call": "open_category", "args": [tile.category]}, {"shot": shot}]
        pages.append(KioskPage("list", shot, listing.title, tile.category, tile.label))
        first = next((r for r in listing.rows if r.doc_id), None)
        if first is not None and builder.detail(tile.category, first.doc_id) is not None:
            shot = f"{n:02d}-detail-{tile.category}"
            steps += [{"call": "open_detail", "args": [first.doc_id]}, {"shot": shot}]
            pages.append(KioskPage("detail", shot, first.title, tile.category, tile.label, first.doc_id))
        steps.append({"call": "go_home"})
    return steps, pages


def draw_pages(content: LiveContent, now: datetime, lang: str, out: Path,
               media_path: Callable[[str], Path | None]) -> list[KioskPage]:
    """Draw the tour's pages into ``out`` (one PNG each, named by :attr:`KioskPage.shot`).

    Kivy must be configured (kiosk.device.kivy_env.prepare_kivy) and not yet running."""
    from kiosk.touch.testing.app import HarnessApp
    from kiosk.touch.testing.clocks import FakeClocks

    steps, pages = kiosk_tour(content, now, lang)
    out.mkdir(parents=True, exist_ok=True)
    app = HarnessApp(steps, out, content, FakeClocks(now.astimezone(UTC)), dpi=GALLERY_DPI, pin_hash=None,
                     idle_s=3600, countdown_s=30, media_path=media_path, signage_stand_in=False)
    app.run()
    if app.errors:
        raise RuntimeError(app.errors[0])
    return pages

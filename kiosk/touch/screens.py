"""The three screens: home grid, list, detail. Thin: they lay out page values.

Layout is in ``kv/home.kv``, ``kv/list.kv`` and ``kv/detail.kv``; behaviour lives in the
controller (:class:`kiosk.touch.root.TouchRoot`), which kv handlers call.
"""
from __future__ import annotations

import logging
from pathlib import Path

from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty, DictProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from player.render.fitted_label import measurer
from player.render.text_fit import wrap

from .details import Block, DetailPage
from .look import LOOK
from .pages import HomePage, ListPage, Row
from .widgets import FieldRow, TextBlock, Tile, TouchButton

log = logging.getLogger(__name__)


class KioskScreen(Screen):
    controller = ObjectProperty(None)
    ui = DictProperty({})  # translated interface strings (see root.interface_strings)
    can_read = BooleanProperty(False)  # the read-aloud button is shown
    reading = BooleanProperty(False)
    lang = StringProperty("fr")  # the visitor's language (hyphenation)

    def scroll_position(self) -> float:
        view = self.ids.get("scroll")
        return float(view.scroll_y) if view is not None else 1.0

    def set_scroll_position(self, value: float) -> None:
        view = self.ids.get("scroll")
        if view is not None:
            view.scroll_y = value


class ComingUpLine(BoxLayout):
    title = StringProperty("")
    detail = StringProperty("")
    lang = StringProperty("fr")


class HomeScreen(KioskScreen):
    title = StringProperty("")
    date_line = StringProperty("")
    coming_heading = StringProperty("")

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._built: tuple[object, ...] | None = None

    def show(self, page: HomePage, languages: list[tuple[str, str]], current: str) -> None:
        self.title, self.date_line = page.title, page.date_line
        self.coming_heading = page.coming_heading if page.coming_up else ""
        # Back home from a list, the tiles and buttons are those already there (only the
        # clock and what is on next may have changed): not built again.
        key = (page.tiles, tuple(languages), current, LOOK.portrait)
        if key == self._built:
            self._show_coming(page, current)
            return
        self._built = key
        self._show_coming(page, current)
        grid = self.ids.grid
        grid.clear_widgets()
        n = len(page.tiles)
        grid.cols = (3 if n > 4 else 2) if LOOK.portrait else (4 if n > 6 else 3 if n > 4 else max(1, n))
        for tile in page.tiles:
            w = Tile(label=tile.label, alert=tile.alert, severity=tile.severity, pictogram=tile.pictogram,
                     lang=current, tid=f"cat-{tile.category}")
            w.bind(on_release=lambda _w, key=tile.category: self.controller.open_category(key))
            grid.add_widget(w)
        row = self.ids.languages
        row.clear_widgets()
        for code, name in languages:
            b = TouchButton(text=name, tid=f"lang-{code}", selected=code == current)
            b.bind(on_release=lambda _w, c=code: self.controller.set_language(c))
            row.add_widget(b)

    def _show_coming(self, page: HomePage, lang: str) -> None:
        coming = self.ids.coming
        if [(w.title, w.detail) for w in reversed(coming.children)] == [(r.title, r.detail) for r in page.coming_up]:
            return
        coming.clear_widgets()
        for row in page.coming_up:
            coming.add_widget(ComingUpLine(title=row.title, detail=row.detail, lang=lang))


class RowLayout:
    """The sizes of list rows in a list ``width`` pixels wide (see widgets.kv's RowButton
    and ListHeading, whose paddings and fonts these mirror)."""

    def __init__(self, width: float, lang: str) -> None:
        pad, body = LOOK.pad, LOOK.font_body
        self.lang = lang
        self.inner = width - pad * 1.5 - pad * 2  # the RecycleBoxLayout's padding
        self.text_width = max(40.0, self.inner - pad * 1.2 * 2 - body * 1.6 - pad)  # row padding, pictogram, spacing
        self.title_size, self.detail_size, self.group_size = int(body * 1.1), int(body * 0.9), int(body * 1.15)

    def lines(self, text: str, size: int, bold: bool, width: float) -> tuple[str, float]:
        """``text`` wrapped at ``size`` within ``width``, and its height."""
        measure, line_height = measurer(bold, False, "Roboto")
        if not text:
            return "", 0.0
        if "\n" not in text and measure(text, size) <= width:
            return text, line_height(size)
        lines, _broken = wrap(text, width, size, lambda s, px: measure(s, int(px)), self.lang)
        return "\n".join(lines), line_height(size) * len(lines)

    def data(self, r: Row, screen: ListScreen) -> dict[str, object]:
        if not r.doc_id:
            text, h = self.lines(r.title, self.group_size, True, self.inner)
            return {"viewclass": "ListHeading", "text": text, "height": h + LOOK.pad * 1.4, "lang": self.lang}
        width = self.text_width if r.pictogram else self.text_width + LOOK.font_body * 1.6 + LOOK.pad
        title, th = self.lines(r.title, self.title_size, True, width)
        detail, dh = self.lines(r.detail, self.detail_size, False, width)
        return {"viewclass": "RowButton", "title": r.title, "title_lines": title, "detail": r.detail,
                "detail_lines": detail, "tone": r.tone, "severity": r.severity, "pictogram": r.pictogram,
                "tid": f"row-{r.doc_id}", "doc_id": r.doc_id, "list_screen": screen,
                "height": max(LOOK.target, th + dh + LOOK.pad * 2)}


class ListScreen(KioskScreen):
    title = StringProperty("")
    empty_text = StringProperty("")

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._prepared: dict[tuple[object, ...], tuple[ListPage, list[dict[str, object]]]] = {}

    def show(self, page: ListPage) -> None:
        self.title = page.title
        self.empty_text = page.empty_text if not page.rows else ""
        for box in (self.ids.filters_top, self.ids.filters_bottom):
            box.clear_widgets()
            box.height = 0
        filters = self.ids.filters_bottom if LOOK.portrait else self.ids.filters_top
        for f in page.filters:
            b = TouchButton(text=f.label, tid=f"filter-{f.key}", selected=f.active)
            b.bind(on_release=lambda _w, k=f.key: self.controller.set_filter(k))
            filters.add_widget(b)
        if page.filters:
            filters.height = LOOK.target + LOOK.pad
        self.ids.scroll.data = self.prepare(page)

    def prepare(self, page: ListPage) -> list[dict[str, object]]:
        """The RecycleView's rows for ``page`` (kept: built ahead, shown again on "back").

        A list of hundreds of rows (services, the agenda) is a RecycleView: only the rows
        in view are widgets, so a tap shows it in one frame. Each row's lines are wrapped
        here (player.render.text_fit, with the label's own font), so its height is known
        before it is drawn and Kivy never wraps them differently.
        """
        # (the screen is sized only once current: its manager's width is the one it will have)
        width = self.manager.width if self.manager is not None else self.width
        key = (id(page), width, self.lang, LOOK.font_body, LOOK.pad, LOOK.target)
        kept = self._prepared.get(key)
        if kept is not None and kept[0] is page:
            return kept[1]
        layout = RowLayout(width, self.lang)
        data = [layout.data(r, self) for r in page.rows]
        if len(self._prepared) >= 16:
            self._prepared.clear()
        self._prepared[key] = (page, data)
        return data


class DetailScreen(KioskScreen):
    category_title = StringProperty("")
    title = StringProperty("")
    link = StringProperty("")
    has_image = BooleanProperty(False)

    def show(self, page: DetailPage, category_title: str, image: Path | None) -> None:
        self.category_title = category_title
        self.title = page.title
        self.link = page.link
        self._show_image(image)
        box = self.ids.blocks
        box.clear_widgets()
        for b in page.blocks:
            box.add_widget(self._block(b, self.lang))

    def _show_image(self, image: Path | None) -> None:
        """The (already checked and downscaled) picture, or no picture at all: a file Kivy
        cannot read leaves no empty box."""
        texture = None
        if image is not None:
            try:
                texture = CoreImage(str(image), nocache=True).texture
            except Exception as e:  # whatever the loader raises, the page shows without it
                log.warning("page image %s not shown: %s", image.name[:12], e)
        self.ids.picture.texture = texture
        self.has_image = texture is not None

    @staticmethod
    def _block(b: Block, lang: str) -> TextBlock | FieldRow:
        if b.style in ("field", "row"):
            return FieldRow(label=b.label, text=b.text, tone=b.tone, lang=lang)
        if b.style == "heading":
            return TextBlock(text=b.text, role="heading", lang=lang)
        if b.style == "status":
            return TextBlock(text=b.text, role=f"status-{b.tone}" if b.tone in ("open", "closed", "alert") else "label",
                             lang=lang)
        return TextBlock(text=b.text, lang=lang)

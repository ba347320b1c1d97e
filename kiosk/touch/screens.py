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

from .details import Block, DetailPage
from .look import LOOK
from .pages import HomePage, ListPage
from .widgets import FieldRow, RowButton, TextBlock, Tile, TouchButton

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

    def show(self, page: HomePage, languages: list[tuple[str, str]], current: str) -> None:
        self.title, self.date_line = page.title, page.date_line
        self.coming_heading = page.coming_heading if page.coming_up else ""
        coming = self.ids.coming
        coming.clear_widgets()
        for row in page.coming_up:
            coming.add_widget(ComingUpLine(title=row.title, detail=row.detail, lang=current))
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


class ListScreen(KioskScreen):
    title = StringProperty("")
    empty_text = StringProperty("")

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
        rows = self.ids.rows
        rows.clear_widgets()
        for r in page.rows:
            if not r.doc_id:
                rows.add_widget(TextBlock(text=r.title, role="group", lang=self.lang))
                continue
            w = RowButton(title=r.title, detail=r.detail, tone=r.tone, severity=r.severity, pictogram=r.pictogram,
                          tid=f"row-{r.doc_id}")
            w.bind(on_release=lambda _w, d=r.doc_id: self.controller.open_detail(d))
            rows.add_widget(w)


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

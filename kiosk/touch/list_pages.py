"""List pages built once per minute and language, and built ahead while the visitor reads
the home screen: a tap on a category with hundreds of rows (services with their opening
status, the agenda) then shows its list in one frame. Pure Python (no Kivy)."""
from __future__ import annotations

from datetime import datetime

from .catalogue import Catalogue
from .pages import ListPage, PageBuilder

KEPT = 48  # pages: eight categories, a few filters and languages, within a minute


class ListPages:
    def __init__(self) -> None:
        self._pages: dict[tuple[object, ...], ListPage] = {}

    def clear(self) -> None:
        """A new content version."""
        self._pages.clear()

    def get(self, catalogue: Catalogue, lang: str, now: datetime, category: str, filter_key: str = "all") -> ListPage:
        """The page as :meth:`PageBuilder.list_page` builds it for ``now``'s minute."""
        minute = now.replace(second=0, microsecond=0)
        key = (catalogue.version_id, lang, minute, category, filter_key)
        page = self._pages.get(key)
        if page is None:
            if len(self._pages) >= KEPT:
                self._pages.clear()
            page = self._pages[key] = PageBuilder(catalogue, lang, now).list_page(category, filter_key)
        return page

"""What the communication team calls an item on a sheet or a calendar."""
from __future__ import annotations

from content_cache import ItemData


def item_title(item: ItemData, lang: str) -> str:
    """Its caption, its bulletin's title, or its file's name."""
    if item.caption:
        return item.caption.get(lang)
    if item.bulletin is not None:
        return item.bulletin.title.get(lang)
    return item.media.name if item.media is not None else ""

"""What the communication team reads on a sheet, a calendar or the editor's page: an
item's name and until when it plays, in the display language."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from content_cache import ItemData
from kiosk.touch import timefmt
from player.i18n import gettext_for


def item_title(item: ItemData, lang: str) -> str:
    """Its caption, its bulletin's title, or its file's name."""
    if item.caption:
        return item.caption.get(lang)
    if item.bulletin is not None:
        return item.bulletin.title.get(lang)
    return item.media.name if item.media is not None else ""


def until_words(until: datetime | None, tz: ZoneInfo, lang: str) -> str:
    """``Jusqu'au 8 décembre à 12:00``, or ``Sans fin``."""
    _ = gettext_for(lang)
    if until is None:
        return _("No end")
    local = until.astimezone(tz)
    return _("Until {date} at {time}").format(date=timefmt.day_month(local.date(), lang),
                                              time=timefmt.clock(local, tz, lang))

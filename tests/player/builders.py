"""Small content builders for schedule engine tests."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from content_cache import BulletinData, ItemData, LiveContent, LocalText, MediaRef, PlaylistData
from content_cache.snapshot import DayPart, Holiday

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
PUBLISHED = datetime(2026, 1, 1, tzinfo=PARIS)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(*args: int, fold: int = 0) -> datetime:
    """A Paris wall-clock instant (fold=1: the second of a repeated autumn hour)."""
    return datetime(*args, tzinfo=PARIS, fold=fold)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parts(*ranges: str) -> tuple[DayPart, ...]:
    """``parts("22:00-06:00", "12:00-14:00")``."""
    return tuple(DayPart.parse(*r.split("-")) for r in ranges)


def image(item_id: str, **kw: Any) -> ItemData:
    media = MediaRef("a" * 64, Path("/x"), "image/jpeg", 1, "x.jpg")
    if isinstance(kw.get("dayparts"), str):
        kw["dayparts"] = parts(kw["dayparts"])
    for key in ("weekdays", "skip_dates", "languages", "tags"):
        if key in kw:
            kw[key] = frozenset(kw[key])
    return ItemData(id=item_id, kind="image", position=0, duration_s=kw.pop("duration_s", 8.0),
                    media=media, **kw)


def bulletin(bulletin_id: str, severity: str = "info", **kw: Any) -> BulletinData:
    return BulletinData(bulletin_id, "alert", severity,
                        LocalText.from_mapping({"fr": bulletin_id}), LocalText(), **kw)


def bulletin_item(item_id: str, b: BulletinData, **kw: Any) -> ItemData:
    return ItemData(id=item_id, kind="bulletin", position=0, duration_s=10.0, bulletin=b, **kw)


def content(
    *items: ItemData,
    bulletins: tuple[BulletinData, ...] = (),
    holidays: tuple[date, ...] = (),
    published_at: datetime = PUBLISHED,
) -> LiveContent:
    return LiveContent(
        version_id="v1", generation=1, published_at=published_at, site_id="t",
        site_name=LocalText.from_mapping({"fr": "Testville"}), timezone="Europe/Paris",
        languages=("fr", "en"), default_playlist="lobby",
        playlists={"lobby": PlaylistData("lobby", LocalText(), tuple(items))},
        bulletins=bulletins, holidays=tuple(Holiday(d) for d in holidays),
    )


def ids(answer: Any) -> list[str]:
    return [i.id for i in answer.items]

"""Read-only values describing the live content, handed to the player.

They are frozen dataclasses built from one read transaction, so the player never holds
ORM objects or a session, and never sees a mix of two versions.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

# Weekday names as the manifest spells them; their index is ``date.weekday()``.
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# The site's time zone where none is given or the one given is unknown: the town's own.
DEFAULT_TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class LocalText:
    """A text in several languages, with a fallback chain."""

    values: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, str] | None) -> LocalText:
        return cls(tuple(sorted((data or {}).items())))

    def get(self, lang: str, fallback: str = "fr") -> str:
        d = dict(self.values)
        for key in (lang, fallback):
            if d.get(key):
                return d[key]
        return next((v for _, v in self.values if v), "")

    def __bool__(self) -> bool:
        return any(v for _, v in self.values)


@dataclass(frozen=True)
class MediaRef:
    sha256: str
    path: Path
    mime_type: str
    size: int
    name: str
    duration_s: float | None = None

    @property
    def kind(self) -> str:
        return self.mime_type.split("/", 1)[0]


@dataclass(frozen=True)
class DayPart:
    """A daily range of local wall-clock time, in minutes after midnight.

    ``end`` is exclusive; ``end == 1440`` is "24:00". ``end < start`` runs past midnight
    (22:00 → 06:00) and belongs to the day it starts on.
    """

    start: int
    end: int

    @classmethod
    def parse(cls, start: str, end: str) -> DayPart:
        return cls(_minutes(start), _minutes(end))

    @property
    def overnight(self) -> bool:
        return self.end < self.start

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


@dataclass(frozen=True)
class Holiday:
    """A site-wide closure or public holiday; items with ``skip_holidays`` rest that day."""

    day: date
    label: LocalText = field(default_factory=LocalText)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_weekdays(names: Iterable[str] | None) -> frozenset[int]:
    """``["mon", "sun"]`` → ``{0, 6}``; empty or None means every day."""
    return frozenset(WEEKDAY_NAMES.index(n) for n in names or ())


def parse_dayparts(raw: Iterable[Mapping[str, str]] | None) -> tuple[DayPart, ...]:
    """Manifest day-parts (``{"from": "HH:MM", "to": "HH:MM"}``) → values."""
    return tuple(DayPart.parse(p["from"], p["to"]) for p in raw or ())


def parse_dates(raw: Iterable[str] | None) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in raw or ())


def parse_holidays(raw: Iterable[Mapping[str, Any]] | None) -> tuple[Holiday, ...]:
    """Site holidays (``{"date": "YYYY-MM-DD", "label": {...}}``) → values, by date."""
    out = [Holiday(date.fromisoformat(str(h["date"])), LocalText.from_mapping(h.get("label"))) for h in raw or ()]
    return tuple(sorted(out, key=lambda h: h.day))


@dataclass(frozen=True)
class Layout:
    """The signage screen's layout (manifest ``layout`` of the site or a playlist):
    ``side_zone`` lists the panels of a zone beside (landscape) or below (portrait) the
    slides, in order (``clock``, ``events``, ``alerts``, ``forecast``); empty: no zone.
    ``events``: how many of the next agenda events it lists."""

    side_zone: tuple[str, ...] = ()
    events: int = 3

    @classmethod
    def from_mapping(cls, data: Mapping[str, object] | None) -> Layout | None:
        if data is None:
            return None
        return cls(tuple(data.get("side_zone") or ()), int(data.get("events") or 3))  # type: ignore[call-overload, arg-type]


@dataclass(frozen=True)
class Presentation:
    """How an image or video item is drawn (manifest item fields ``fit``, ``focus``,
    ``caption_position``, ``media_portrait``, ``media_landscape``).

    ``fit``: ``contain`` or ``cover``, None for the playlist's (else contain); ``focus``:
    the point kept in view by ``cover``, as fractions from the top left; ``caption_over``:
    the caption is drawn on the picture rather than in its own band; ``portrait`` and
    ``landscape``: the files shown instead of the item's media on such a screen."""

    fit: str | None = None
    focus: tuple[float, float] = (0.5, 0.5)
    caption_over: bool = False
    portrait: MediaRef | None = None
    landscape: MediaRef | None = None

    def media_for(self, screen: tuple[int, int], default: MediaRef | None) -> MediaRef | None:
        """The file to show on a screen of this size."""
        w, h = screen
        variant = self.portrait if h > w else self.landscape
        return variant or default


@dataclass(frozen=True)
class BulletinData:
    id: str
    category: str
    severity: str
    title: LocalText
    body: LocalText
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    # "banner" | "fullscreen" makes the bulletin an alert while it is valid; None: a plain bulletin.
    alert: str | None = None
    link: str | None = None  # shown as a QR code
    picture: MediaRef | None = None


@dataclass(frozen=True)
class ItemData:
    id: str
    kind: str  # "image" | "video" | "bulletin"
    position: int
    duration_s: float | None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    media: MediaRef | None = None
    bulletin: BulletinData | None = None
    caption: LocalText = field(default_factory=LocalText)
    # Scheduling rules (see docs/content-api.md, "Scheduling rules"). Empty means no rule.
    weekdays: frozenset[int] = frozenset()  # 0 = Monday, as date.weekday()
    dayparts: tuple[DayPart, ...] = ()
    skip_dates: frozenset[date] = frozenset()
    skip_holidays: bool = False
    priority: int = 0
    weight: int = 1
    languages: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    category: str | None = None  # for play reports; a bulletin item's is its bulletin's
    look: Presentation = field(default_factory=Presentation)

    @property
    def report_category(self) -> str | None:
        return self.category or (self.bulletin.category if self.bulletin else None)


@dataclass(frozen=True)
class PlaylistData:
    id: str
    name: LocalText
    items: tuple[ItemData, ...]
    fit: str | None = None  # the items' default fit
    layout: Layout | None = None  # None: the site's


@dataclass(frozen=True)
class LiveContent:
    version_id: str
    generation: int
    published_at: datetime
    site_id: str
    site_name: LocalText
    timezone: str
    languages: tuple[str, ...]
    default_playlist: str
    playlists: Mapping[str, PlaylistData]
    bulletins: tuple[BulletinData, ...]
    kiosk_sections: Mapping[str, tuple[Mapping[str, object], ...]] = field(default_factory=dict)
    holidays: tuple[Holiday, ...] = ()
    # The manifest's "neutrality" section as published (checked by player.neutrality).
    neutrality: Mapping[str, object] | None = None
    layout: Layout = field(default_factory=Layout)

    def playlist(self, playlist_id: str | None = None) -> PlaylistData | None:
        return self.playlists.get(playlist_id or self.default_playlist)

    def layout_for(self, playlist_id: str | None = None) -> Layout:
        """The layout in force while ``playlist_id`` plays: the playlist's, else the site's."""
        playlist = self.playlist(playlist_id)
        return playlist.layout if playlist is not None and playlist.layout is not None else self.layout


def is_alert(b: BulletinData | Mapping[str, object]) -> bool:
    """Alerts (critical bulletins, or any with an ``alert`` mode) travel on the fast lane.

    Also takes the cache's bulletin rows: ``Bulletin`` objects or column mappings."""
    if isinstance(b, Mapping):
        return b["severity"] == "critical" or b.get("alert") is not None
    return b.severity == "critical" or getattr(b, "alert", None) is not None

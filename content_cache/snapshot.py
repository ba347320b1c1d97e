"""Read-only values describing the live content, handed to the player.

They are frozen dataclasses built from one read transaction, so the player never holds
ORM objects or a session, and never sees a mix of two versions.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


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
class BulletinData:
    id: str
    category: str
    severity: str
    title: LocalText
    body: LocalText
    valid_from: datetime | None = None
    valid_until: datetime | None = None


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


@dataclass(frozen=True)
class PlaylistData:
    id: str
    name: LocalText
    items: tuple[ItemData, ...]


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

    def playlist(self, playlist_id: str | None = None) -> PlaylistData | None:
        return self.playlists.get(playlist_id or self.default_playlist)

"""Local content cache: SQLite (SQLAlchemy 2.x) plus a content-addressed media store.

Run on the device by both of its processes, which share one cache folder: the sync
daemon (``kiosk sync``, and ``kiosk sync --once``) writes it, the player (``kiosk player``)
reads the live content from it; ``kiosk status``, ``kiosk report`` and the other
technician's commands read it too. Imports no other project package. Callers use the
names below (their modules are this package's own business); they are loaded on first
use (PEP 562, through lazy_loader): the frozen values handed to the player
(``LiveContent``, ``ItemData``…), the media store and :class:`LightCache` import no
SQLAlchemy, so a process that only needs them — the player before its first frame,
``kiosk sync --once`` — does not pay for it. Every error raised here is a
:class:`CacheError`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

# submodule → the names it defines, loaded on first use (lazy_loader.attach)
__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={
    "_upkeep": ["VerifyReport"],
    "cache": ["ContentCache", "utcnow"],
    "errors": ["CacheError", "InvalidDigest", "MediaVerificationError", "MissingMediaError", "NaiveDatetimeError",
               "QuotaExceeded", "SchemaMismatch", "StoreError", "UnknownColumn"],
    "light": ["LightCache"],
    "live_read": ["DB_NAME", "LiveReader", "LiveState"],
    "models": ["Bulletin", "ContentVersion", "KioskDocument", "Playlist", "PlaylistItem", "VersionMedia"],
    "outbox": ["Outbox", "OutboxRecord"],
    "playlog": ["PLAY_LOG_FILE", "ElectionRecord", "PlayLog", "PlayRecord", "WithheldRecord"],
    "schema": ["SCHEMA_VERSION"],
    "snapshot": ["DEFAULT_TIMEZONE", "MINUTES_PER_DAY", "WEEKDAY_NAMES", "BulletinData", "DayPart", "Holiday",
                 "ItemData", "Layout", "LiveContent", "LocalText", "MediaRef", "PlaylistData", "Presentation",
                 "is_alert"],
    "store": ["SHA256_RE", "BatchedStore", "MediaStore", "PartialDownload", "StoredFile", "check_sha256",
              "read_chunks"],
    "writable": ["WritableCache"],
    "writes": ["SyncRunRecord", "VersionRows"],
})

if TYPE_CHECKING:  # what type checkers and editors see
    from ._upkeep import VerifyReport
    from .cache import ContentCache, utcnow
    from .errors import (
        CacheError,
        InvalidDigest,
        MediaVerificationError,
        MissingMediaError,
        NaiveDatetimeError,
        QuotaExceeded,
        SchemaMismatch,
        StoreError,
        UnknownColumn,
    )
    from .light import LightCache
    from .live_read import DB_NAME, LiveReader, LiveState
    from .models import Bulletin, ContentVersion, KioskDocument, Playlist, PlaylistItem, VersionMedia
    from .outbox import Outbox, OutboxRecord
    from .playlog import PLAY_LOG_FILE, ElectionRecord, PlayLog, PlayRecord, WithheldRecord
    from .schema import SCHEMA_VERSION
    from .snapshot import (
        DEFAULT_TIMEZONE,
        MINUTES_PER_DAY,
        WEEKDAY_NAMES,
        BulletinData,
        DayPart,
        Holiday,
        ItemData,
        Layout,
        LiveContent,
        LocalText,
        MediaRef,
        PlaylistData,
        Presentation,
        is_alert,
    )
    from .store import SHA256_RE, BatchedStore, MediaStore, PartialDownload, StoredFile, check_sha256, read_chunks
    from .writable import WritableCache
    from .writes import SyncRunRecord, VersionRows

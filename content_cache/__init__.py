"""Local content cache: SQLite (SQLAlchemy 2.x) plus a content-addressed media store.

Imports no other project package. The names below are loaded on first use (PEP 562,
through lazy_loader):
the frozen values handed to the player (``LiveContent``, ``ItemData``…) and the media
store import no SQLAlchemy, so a process that only reads them — the player before its
first frame, ``kiosk sync --once`` before its downloads — does not pay for it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

# submodule → the names it defines, loaded on first use (lazy_loader.attach)
__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={
    "_upkeep": ["QuotaExceeded", "VerifyReport"],
    "cache": ["ContentCache", "utcnow"],
    "errors": ["CacheError", "MissingMediaError"],
    "light": ["LightCache"],
    "live_read": ["LiveState"],
    "models": ["Bulletin", "ContentVersion", "KioskDocument", "Playlist", "PlaylistItem", "VersionMedia"],
    "outbox": ["Outbox", "OutboxRecord"],
    "snapshot": ["BulletinData", "ItemData", "Layout", "LiveContent", "LocalText", "MediaRef", "PlaylistData",
                 "Presentation", "is_alert"],
    "store": ["BatchedStore", "MediaStore", "MediaVerificationError", "StoreError", "StoredFile",
              "check_sha256", "read_chunks"],
    "writes": ["SyncRunRecord", "VersionRows"],
})

if TYPE_CHECKING:  # what type checkers and editors see
    from ._upkeep import QuotaExceeded, VerifyReport
    from .cache import ContentCache, utcnow
    from .errors import CacheError, MissingMediaError
    from .light import LightCache
    from .live_read import LiveState
    from .models import Bulletin, ContentVersion, KioskDocument, Playlist, PlaylistItem, VersionMedia
    from .outbox import Outbox, OutboxRecord
    from .snapshot import (
        BulletinData,
        ItemData,
        Layout,
        LiveContent,
        LocalText,
        MediaRef,
        PlaylistData,
        Presentation,
        is_alert,
    )
    from .store import (
        BatchedStore,
        MediaStore,
        MediaVerificationError,
        StoredFile,
        StoreError,
        check_sha256,
        read_chunks,
    )
    from .writes import SyncRunRecord, VersionRows

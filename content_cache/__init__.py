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
    "_upkeep": ["DISK_RESERVE_BYTES", "QuotaExceeded", "VerifyReport"],
    "cache": ["ContentCache", "utcnow"],
    "damage": ["database_damage", "set_aside_damaged"],
    "errors": ["CacheError", "DamagedDatabase", "MissingMediaError", "NoSpace", "ReadOnlyFolder", "StorageFault",
               "WriterBusy"],
    "faults": ["free_bytes", "human_bytes", "is_damage", "no_space", "storage_fault", "why_not_writable"],
    "light": ["LightCache"],
    "live_read": ["LiveState"],
    "models": ["Bulletin", "ContentVersion", "KioskDocument", "Playlist", "PlaylistItem", "VersionMedia"],
    "outbox": ["Outbox", "OutboxRecord"],
    "partials": ["Collected", "collect_partials", "partial_bytes"],
    "status_read": ["CacheReport", "read_report"],
    "snapshot": ["BulletinData", "ItemData", "LiveContent", "LocalText", "MediaRef", "PlaylistData", "is_alert"],
    "store": ["BatchedStore", "MediaStore", "MediaVerificationError", "PartialBusy", "StoreError", "StoredFile",
              "check_sha256", "read_chunks"],
    "writer_lock": ["WriterLock"],
    "writes": ["SyncRunRecord", "VersionRows"],
})

if TYPE_CHECKING:  # what type checkers and editors see
    from ._upkeep import DISK_RESERVE_BYTES, QuotaExceeded, VerifyReport
    from .cache import ContentCache, utcnow
    from .damage import database_damage, set_aside_damaged
    from .errors import (
        CacheError,
        DamagedDatabase,
        MissingMediaError,
        NoSpace,
        ReadOnlyFolder,
        StorageFault,
        WriterBusy,
    )
    from .faults import free_bytes, human_bytes, is_damage, no_space, storage_fault, why_not_writable
    from .light import LightCache
    from .live_read import LiveState
    from .models import Bulletin, ContentVersion, KioskDocument, Playlist, PlaylistItem, VersionMedia
    from .outbox import Outbox, OutboxRecord
    from .partials import Collected, collect_partials, partial_bytes
    from .snapshot import BulletinData, ItemData, LiveContent, LocalText, MediaRef, PlaylistData, is_alert
    from .status_read import CacheReport, read_report
    from .store import (
        BatchedStore,
        MediaStore,
        MediaVerificationError,
        PartialBusy,
        StoredFile,
        StoreError,
        check_sha256,
        read_chunks,
    )
    from .writer_lock import WriterLock
    from .writes import SyncRunRecord, VersionRows

"""Local content cache: SQLite (SQLAlchemy 2.x) plus a content-addressed media store.

Imports no other project package.
"""
from ._upkeep import QuotaExceeded, VerifyReport
from .cache import ContentCache, LiveState, SyncRunRecord, is_alert, utcnow
from .errors import CacheError, MissingMediaError
from .models import (
    Bulletin,
    ContentVersion,
    KioskDocument,
    Playlist,
    PlaylistItem,
    VersionMedia,
)
from .snapshot import BulletinData, ItemData, LiveContent, LocalText, MediaRef, PlaylistData
from .outbox import Outbox, OutboxRecord
from .store import (
    BatchedStore,
    MediaStore,
    MediaVerificationError,
    StoreError,
    StoredFile,
    check_sha256,
    read_chunks,
)

__all__ = [
    "BatchedStore",
    "Bulletin",
    "BulletinData",
    "CacheError",
    "ContentCache",
    "ContentVersion",
    "ItemData",
    "KioskDocument",
    "LiveContent",
    "LiveState",
    "LocalText",
    "MediaRef",
    "MediaStore",
    "MediaVerificationError",
    "MissingMediaError",
    "Outbox",
    "OutboxRecord",
    "QuotaExceeded",
    "VerifyReport",
    "is_alert",
    "Playlist",
    "PlaylistData",
    "PlaylistItem",
    "StoreError",
    "StoredFile",
    "SyncRunRecord",
    "VersionMedia",
    "check_sha256",
    "read_chunks",
    "utcnow",
]

"""Local content cache: SQLite (SQLAlchemy 2.x) plus a content-addressed media store.

Imports no other project package.
"""
from .cache import CacheError, ContentCache, LiveState, MissingMediaError, SyncRunRecord, utcnow
from .models import (
    Bulletin,
    ContentVersion,
    KioskDocument,
    Playlist,
    PlaylistItem,
    VersionMedia,
)
from .snapshot import BulletinData, ItemData, LiveContent, LocalText, MediaRef, PlaylistData
from .store import MediaStore, MediaVerificationError, StoreError, StoredFile, check_sha256

__all__ = [
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
    "Playlist",
    "PlaylistData",
    "PlaylistItem",
    "StoreError",
    "StoredFile",
    "SyncRunRecord",
    "VersionMedia",
    "check_sha256",
    "utcnow",
]

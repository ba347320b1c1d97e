"""Local content cache: SQLite (SQLAlchemy 2.x) plus a content-addressed media store.

Imports no other project package. The names below are loaded on first use (PEP 562):
the frozen values handed to the player (``LiveContent``, ``ItemData``…) and the media
store import no SQLAlchemy, so a process that only reads them — the player before its
first frame, ``kiosk sync --once`` before its downloads — does not pay for it.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name → submodule that defines it
_WHERE = {
    "QuotaExceeded": "_upkeep",
    "VerifyReport": "_upkeep",
    "ContentCache": "cache",
    "LiveState": "cache",
    "SyncRunRecord": "cache",
    "is_alert": "cache",
    "utcnow": "cache",
    "CacheError": "errors",
    "MissingMediaError": "errors",
    "Bulletin": "models",
    "ContentVersion": "models",
    "KioskDocument": "models",
    "Playlist": "models",
    "PlaylistItem": "models",
    "VersionMedia": "models",
    "BulletinData": "snapshot",
    "ItemData": "snapshot",
    "LiveContent": "snapshot",
    "LocalText": "snapshot",
    "MediaRef": "snapshot",
    "PlaylistData": "snapshot",
    "Outbox": "outbox",
    "OutboxRecord": "outbox",
    "BatchedStore": "store",
    "MediaStore": "store",
    "MediaVerificationError": "store",
    "StoreError": "store",
    "StoredFile": "store",
    "check_sha256": "store",
    "read_chunks": "store",
}

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
    "Playlist",
    "PlaylistData",
    "PlaylistItem",
    "QuotaExceeded",
    "StoreError",
    "StoredFile",
    "SyncRunRecord",
    "VerifyReport",
    "VersionMedia",
    "check_sha256",
    "is_alert",
    "read_chunks",
    "utcnow",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{where}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


if TYPE_CHECKING:  # what type checkers and editors see
    from ._upkeep import QuotaExceeded, VerifyReport
    from .cache import ContentCache, LiveState, SyncRunRecord, is_alert, utcnow
    from .errors import CacheError, MissingMediaError
    from .models import Bulletin, ContentVersion, KioskDocument, Playlist, PlaylistItem, VersionMedia
    from .outbox import Outbox, OutboxRecord
    from .snapshot import BulletinData, ItemData, LiveContent, LocalText, MediaRef, PlaylistData
    from .store import (
        BatchedStore,
        MediaStore,
        MediaVerificationError,
        StoreError,
        StoredFile,
        check_sha256,
        read_chunks,
    )

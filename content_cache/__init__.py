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
    "_upkeep": ["DISK_RESERVE_BYTES", "VerifyReport"],
    "cache": ["ContentCache", "utcnow"],
    "durable": ["write_atomic"],
    "damage": ["database_damage", "set_aside_damaged"],
    "errors": ["CacheError", "DamagedDatabase", "InvalidDigest", "MediaVerificationError", "MissingMediaError",
               "NaiveDatetimeError", "NoSpace", "PartialBusy", "QuotaExceeded", "ReadOnlyFolder", "SchemaMismatch",
               "StorageFault", "StoreError", "UnknownColumn", "WriterBusy"],
    "faults": ["free_bytes", "human_bytes", "is_damage", "no_space", "storage_fault", "why_not_writable"],
    "light": ["LightCache"],
    "live_read": ["DB_NAME", "LiveReader", "LiveState"],
    "media_address": ["SHA256_RE", "StoredFile", "check_sha256"],
    "models": ["Bulletin", "ContentVersion", "KioskDocument", "Playlist", "PlaylistItem", "VersionMedia"],
    "outbox": ["Outbox", "OutboxRecord"],
    "partial_download": ["PartialDownload", "read_chunks"],
    "partials": ["Collected", "collect_partials", "partial_bytes"],
    "playlog": ["PLAY_LOG_FILE", "ElectionRecord", "PlayLog", "PlayRecord", "WithheldRecord"],
    "schema": ["SCHEMA_VERSION"],
    "snapshot": ["DEFAULT_TIMEZONE", "MINUTES_PER_DAY", "WEEKDAY_NAMES", "BulletinData", "DayPart", "Holiday",
                 "ItemData", "Layout", "LiveContent", "LocalText", "MediaRef", "PlaylistData", "Presentation",
                 "is_alert"],
    "status_read": ["CacheReport", "read_report"],
    "store": ["BatchedStore", "MediaStore"],
    "writable": ["WritableCache"],
    "writer_lock": ["WriterLock"],
    "writes": ["SyncRunRecord", "VersionRows"],
})

if TYPE_CHECKING:  # what type checkers and editors see
    from ._upkeep import DISK_RESERVE_BYTES, VerifyReport
    from .cache import ContentCache, utcnow
    from .damage import database_damage, set_aside_damaged
    from .durable import write_atomic
    from .errors import (
        CacheError,
        DamagedDatabase,
        InvalidDigest,
        MediaVerificationError,
        MissingMediaError,
        NaiveDatetimeError,
        NoSpace,
        PartialBusy,
        QuotaExceeded,
        ReadOnlyFolder,
        SchemaMismatch,
        StorageFault,
        StoreError,
        UnknownColumn,
        WriterBusy,
    )
    from .faults import free_bytes, human_bytes, is_damage, no_space, storage_fault, why_not_writable
    from .light import LightCache
    from .live_read import DB_NAME, LiveReader, LiveState
    from .media_address import SHA256_RE, StoredFile, check_sha256
    from .models import Bulletin, ContentVersion, KioskDocument, Playlist, PlaylistItem, VersionMedia
    from .outbox import Outbox, OutboxRecord
    from .partial_download import PartialDownload, read_chunks
    from .partials import Collected, collect_partials, partial_bytes
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
    from .status_read import CacheReport, read_report
    from .store import BatchedStore, MediaStore
    from .writable import WritableCache
    from .writer_lock import WriterLock
    from .writes import SyncRunRecord, VersionRows

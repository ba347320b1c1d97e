"""Content sync: manifest, verified downloads, atomic version switch, outbox upload. No Kivy.

Run on the device by the sync daemon (``kiosk sync``, :class:`SyncService`) and by one-shot
passes (``kiosk sync --once``, :func:`sync_once_light`; a USB content pack import,
:class:`LocalPackSource`); the town's publisher uses the manifest validation. A pass reads
a :class:`ContentSource` (the content API's :class:`ContentApiClient`, or a content pack)
and writes a :class:`content_cache.WritableCache`. Every error raised here is a
:class:`SyncError`. The names below are loaded on first use (PEP 562, through
lazy_loader): ``from sync import SyncSettings`` or ``ContentApiClient`` does not import
the syncer; nothing here imports SQLAlchemy, which ``kiosk sync --once`` never loads
(sync/one_shot.py), nor APScheduler but the daemon's :class:`SyncService`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

# submodule → the names it defines, loaded on first use (lazy_loader.attach)
__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={
    "client": ["ContentApiClient"],
    "downloads": ["Progress"],
    "errors": ["ApiUnreachable", "InvalidSettings", "MediaDownloadError", "Stopped", "SyncError"],
    "local_source": ["LocalPackSource", "NotAContentPack"],
    "manifest": ["Manifest", "ManifestError", "MediaEntry", "manifest_bytes", "parse_manifest",
                 "validate_document"],
    "one_shot": ["sync_once_light"],
    "outcome": ["Outcome", "SyncResult"],
    "reports": ["DeviceReports", "ServerRequests", "SyncState"],
    "restore": ["restore_versions"],
    "service": ["ServiceTimes", "SyncService"],
    "settings": ["SyncSettings"],
    "source": ["ContentSource", "ManifestFetch", "NewManifest", "NotModified"],
    "syncer": ["Check", "CheckFailed", "NewVersion", "NothingNew", "Syncer", "sync_once"],
})

if TYPE_CHECKING:  # what type checkers and editors see
    from .client import ContentApiClient
    from .downloads import Progress
    from .errors import ApiUnreachable, InvalidSettings, MediaDownloadError, Stopped, SyncError
    from .local_source import LocalPackSource, NotAContentPack
    from .manifest import (
        Manifest,
        ManifestError,
        MediaEntry,
        manifest_bytes,
        parse_manifest,
        validate_document,
    )
    from .one_shot import sync_once_light
    from .outcome import Outcome, SyncResult
    from .reports import DeviceReports, ServerRequests, SyncState
    from .restore import restore_versions
    from .service import ServiceTimes, SyncService
    from .settings import SyncSettings
    from .source import ContentSource, ManifestFetch, NewManifest, NotModified
    from .syncer import Check, CheckFailed, NewVersion, NothingNew, Syncer, sync_once

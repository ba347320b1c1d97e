"""Content API client: manifest, verified downloads, atomic version switch. No Kivy.

The names below are loaded on first use (PEP 562, through lazy_loader): ``from sync import
SyncSettings`` or ``ContentApiClient`` does not import the syncer; nothing here imports
SQLAlchemy, which ``kiosk sync --once`` never loads (sync/one_shot.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

# submodule → the names it defines, loaded on first use (lazy_loader.attach)
__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={
    "client": ["ApiUnreachable", "ContentApiClient", "MediaDownloadError", "Stopped", "SyncError"],
    "settings": ["SyncSettings"],
    "manifest": ["Manifest", "ManifestError", "MediaEntry", "manifest_bytes", "parse_manifest",
                 "validate_document"],
    "outcome": ["Outcome", "SyncResult"],
    "downloads": ["Progress"],
    "syncer": ["Syncer", "sync_once"],
    "one_shot": ["sync_once_light"],
})

if TYPE_CHECKING:  # what type checkers and editors see
    from .client import ApiUnreachable, ContentApiClient, MediaDownloadError, Stopped, SyncError
    from .downloads import Progress
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
    from .settings import SyncSettings
    from .syncer import Syncer, sync_once

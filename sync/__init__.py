"""Content API client: manifest, verified downloads, atomic version switch. No Kivy.

The names below are loaded on first use (PEP 562): ``from sync import SyncSettings`` or
``ContentApiClient`` does not import the syncer, hence neither the cache nor SQLAlchemy —
``kiosk sync --once`` opens the cache while its first downloads run (sync/one_shot.py).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name → submodule that defines it
_WHERE = {
    "ApiUnreachable": "client",
    "ContentApiClient": "client",
    "MediaDownloadError": "client",
    "Stopped": "client",
    "SyncError": "client",
    "SyncSettings": "settings",
    "Manifest": "manifest",
    "ManifestError": "manifest",
    "MediaEntry": "manifest",
    "manifest_bytes": "manifest",
    "parse_manifest": "manifest",
    "validate_document": "manifest",
    "Outcome": "outcome",
    "SyncResult": "outcome",
    "Progress": "downloads",
    "Syncer": "syncer",
    "sync_once": "syncer",
    "sync_once_downloading_early": "one_shot",
}

__all__ = [
    "ApiUnreachable",
    "ContentApiClient",
    "Manifest",
    "ManifestError",
    "MediaDownloadError",
    "MediaEntry",
    "Outcome",
    "Progress",
    "Stopped",
    "SyncError",
    "SyncResult",
    "SyncSettings",
    "Syncer",
    "manifest_bytes",
    "parse_manifest",
    "sync_once",
    "sync_once_downloading_early",
    "validate_document",
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
    from .one_shot import sync_once_downloading_early
    from .outcome import Outcome, SyncResult
    from .settings import SyncSettings
    from .syncer import Syncer, sync_once

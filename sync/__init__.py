"""Content API client: manifest, verified downloads, atomic version switch. No Kivy."""
from .client import ApiUnreachable, ContentApiClient, MediaDownloadError, Stopped, SyncError
from .settings import SyncSettings
from .manifest import (
    Manifest,
    ManifestError,
    MediaEntry,
    manifest_bytes,
    parse_manifest,
    validate_document,
)
from .syncer import Outcome, Progress, Syncer, SyncResult, sync_once

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
    "SyncSettings",
    "Syncer",
    "SyncResult",
    "manifest_bytes",
    "parse_manifest",
    "sync_once",
    "validate_document",
]

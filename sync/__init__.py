"""Content API client: manifest, verified downloads, atomic version switch. No Kivy."""
from .client import ApiUnreachable, ContentApiClient, MediaDownloadError, SyncError
from .manifest import (
    Manifest,
    ManifestError,
    MediaEntry,
    manifest_bytes,
    parse_manifest,
    validate_document,
)
from .syncer import Outcome, Progress, SyncResult, sync_once

__all__ = [
    "ApiUnreachable",
    "ContentApiClient",
    "Manifest",
    "ManifestError",
    "MediaDownloadError",
    "MediaEntry",
    "Outcome",
    "Progress",
    "SyncError",
    "SyncResult",
    "manifest_bytes",
    "parse_manifest",
    "sync_once",
    "validate_document",
]

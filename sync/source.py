"""Where content comes from: the interface every source implements, and what it answers.

Two implementations: :class:`sync.ContentApiClient` (the town's content API over HTTP) and
:class:`sync.LocalPackSource` (a content pack on a USB key). The syncer takes either: a pack
goes through the very same validation, hash-and-size checks and one-transaction switch as
a download. One contract test runs against both (tests/sync/test_content_source.py).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from content_cache import MediaStore, StoredFile

from .manifest import Manifest
from .settings import SyncSettings


@dataclass(frozen=True)
class NotModified:
    """The source's manifest is the one whose ETag the device gave."""

    etag: str | None
    url: str


@dataclass(frozen=True)
class NewManifest:
    """A manifest other than the device's, validated in full."""

    manifest: Manifest
    etag: str | None
    body_sha256: str
    url: str


# What a conditional manifest request gives: nothing new, or a new manifest.
ManifestFetch: TypeAlias = NotModified | NewManifest


class ContentSource(Protocol):
    """A source of manifests and media; safe to use from several download threads.

    Failures are :class:`sync.SyncError`\\ s: :class:`ApiUnreachable` (cannot read the
    manifest), :class:`sync.ManifestError` (it is invalid), :class:`MediaDownloadError` (a
    file cannot be had, or is not what the manifest says) and :class:`Stopped` once
    :attr:`stop` is set.
    """

    @property
    def settings(self) -> SyncSettings:
        """The device's sync settings (device id, parallel downloads, quota…)."""

    @property
    def base_url(self) -> str:
        """Where the source is, for messages (an ``http(s)://`` or ``file://`` URL)."""

    @property
    def stop(self) -> threading.Event:
        """Set to stop: requests and downloads in progress raise :class:`Stopped`."""

    @property
    def requests_made(self) -> int:
        """Requests (files opened) so far, for the sync result."""

    def fetch_manifest(self, etag: str | None) -> ManifestFetch:
        """The manifest, validated; :class:`NotModified` if its ETag is ``etag``."""

    def download_media(
        self, store: MediaStore, sha256: str, size: int, on_bytes: Callable[[int], None] | None = None
    ) -> StoredFile:
        """One media file into ``store`` under its content address, verified (sha256, size)."""

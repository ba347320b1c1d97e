"""Settings of the sync client, filled from the device's configuration by the app."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SyncSettings:
    """How a device talks to its content API. Times in seconds, sizes in bytes."""

    api_url: str
    device_id: str | None = None
    token: str | None = field(default=None, repr=False)  # never printed, never logged
    ca_bundle: Path | None = None
    parallel_downloads: int = 3
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 20.0
    # A file must arrive within base + size / min_rate: a server dripping one byte a
    # second cannot hold sync, a big video on a slow but steady line still gets through.
    file_deadline_base_s: float = 60.0
    min_rate_bytes_s: float = 32 * 1024
    # The manifest (all its attempts) must arrive within this: a server dripping it a
    # few bytes a second cannot hold the sync.
    manifest_deadline_s: float = 120.0
    max_attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 300.0
    # How long to stop asking for a per-device manifest after the server said it has none.
    device_manifest_recheck_s: float = 3600.0
    max_cache_bytes: int | None = None
    # A partial download no wanted version needs is removed once it was not written for
    # this long (at once when the disk is short of space).
    partial_grace_s: float = 24 * 3600.0

    def file_deadline_s(self, size: int) -> float:
        return self.file_deadline_base_s + size / self.min_rate_bytes_s

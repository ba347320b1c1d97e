"""The floor of our sync client on one machine: the manifest fetched and validated, every
media file downloaded into a media store (verified, fsynced, renamed), and no database —
what `kiosk sync --once` would cost if writing the cache were free.

    .venv/bin/python -m bench.sync_floor URL DIR

Run by ``bench/sync_bench.py --floor`` beside the real thing, in the same rounds.
"""
from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from content_cache import MediaStore
from sync import ContentApiClient, NewManifest, SyncSettings
from sync.downloads import Downloads
from sync.outcome import Polled, poll_manifest


def main() -> int:
    url, data = sys.argv[1], Path(sys.argv[2])
    client = ContentApiClient(SyncSettings(api_url=url))
    poll = poll_manifest(client, None, lambda: datetime.now(UTC))
    if not isinstance(poll, Polled) or not isinstance(poll.fetch, NewManifest):
        print(f"sync_floor: no manifest: {getattr(poll, 'message', 'not modified')}", file=sys.stderr)
        return 1
    store = MediaStore(data / "media")
    store.ensure()
    downloads = Downloads(client, store, None)
    downloads.add({m.sha256: m.size for m in poll.fetch.manifest.media})
    fetched, failures = downloads.wait()
    if failures:
        print(f"sync_floor: {len(failures)} file(s) failed; first: {failures[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

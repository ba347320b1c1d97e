"""One sync pass: manifest → missing media → atomic switch of the live version."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from content_cache import ContentCache, MissingMediaError, SyncRunRecord

from .client import ContentApiClient, MediaDownloadError, SyncError
from .manifest import ManifestError
from .to_cache import version_rows

log = logging.getLogger(__name__)


class Outcome:
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    UNREACHABLE = "unreachable"
    INVALID = "invalid"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class SyncResult:
    outcome: str
    live_version: str | None
    files_fetched: int = 0
    bytes_fetched: int = 0
    requests: int = 0
    message: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.UPDATED, Outcome.UNCHANGED)


@dataclass
class Progress:
    """Counters a terminal or a test can watch while a sync runs."""

    files_total: int = 0
    files_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0


def sync_once(
    cache: ContentCache,
    client: ContentApiClient,
    now: Callable[[], datetime],
    progress: Callable[[Progress], None] | None = None,
) -> SyncResult:
    """Run one sync pass. Never raises for network or content faults: the result says.

    The live version only changes when every file of the new one is in the store and
    verified; the switch is one transaction in the cache.
    """
    started = now()
    state = cache.live_state()
    before = client.requests_made
    prog = Progress()
    fetched_files = 0
    fetched_bytes = 0

    def finish(outcome: str, message: str, live: str | None, problems: tuple[str, ...] = ()) -> SyncResult:
        result = SyncResult(
            outcome=outcome,
            live_version=live,
            files_fetched=fetched_files,
            bytes_fetched=fetched_bytes,
            requests=client.requests_made - before,
            message=message,
            problems=problems,
        )
        cache.record_sync_run(
            SyncRunRecord(started, now(), outcome, live, fetched_files, fetched_bytes, message)
        )
        return result

    try:
        fetch = client.fetch_manifest(state.etag if state.live_version_id else None)
    except ManifestError as e:
        log.error("%s", e)
        return finish(Outcome.INVALID, str(e), state.live_version_id, tuple(e.lines()))
    except SyncError as e:
        return finish(Outcome.UNREACHABLE, str(e), state.live_version_id)

    if fetch.not_modified:
        return finish(Outcome.UNCHANGED, "manifest not modified", state.live_version_id)
    manifest = fetch.manifest
    assert manifest is not None
    if manifest.version == state.live_version_id:
        cache.set_live_etag(fetch.etag)
        return finish(Outcome.UNCHANGED, f"version {manifest.version} already live", manifest.version)

    missing = [m for m in manifest.media if not cache.store.has(m.sha256, m.size)]
    prog.files_total = len(missing)
    prog.bytes_total = sum(m.size for m in missing)
    if progress:
        progress(prog)
    failures: list[str] = []
    for m in missing:
        def on_bytes(n: int) -> None:
            prog.bytes_done += n
            if progress:
                progress(prog)

        try:
            client.download_media(cache.store, m.sha256, m.size, on_bytes)
        except MediaDownloadError as e:
            log.warning("%s", e)
            failures.append(str(e))
            continue
        except SyncError as e:
            failures.append(str(e))
            continue
        fetched_files += 1
        fetched_bytes += m.size
        prog.files_done += 1
        if progress:
            progress(prog)

    if failures:
        msg = (
            f"version {manifest.version} not installed: {len(failures)} of "
            f"{len(manifest.media)} media file(s) failed; first: {failures[0]}"
        )
        log.error("%s", msg)
        return finish(Outcome.INCOMPLETE, msg, state.live_version_id, tuple(failures))

    rows = version_rows(
        manifest, manifest_sha256=fetch.body_sha256 or "", etag=fetch.etag, now=now()
    )
    try:
        cache.install_version(rows, now())
    except MissingMediaError as e:
        return finish(Outcome.INCOMPLETE, str(e), state.live_version_id)
    cache.collect_garbage()
    return finish(
        Outcome.UPDATED,
        f"version {manifest.version} is live ({fetched_files} file(s), {fetched_bytes} bytes fetched)",
        manifest.version,
    )

"""`kiosk preview`'s content: a content folder read by the hub's publisher, as the player
would read it after a sync.

The folder is checked by :func:`hub.publisher.check_source` (the publisher's own messages
for its problems), the content sources add their last good results (none is asked: a
preview never waits for the network) and ``opening_hours`` become hours, as
``kiosk publish`` does. The manifest document is then validated as a device validates it
and installed into a throw-away cache whose media store links to the folder's files, and
read back with the player's own reader (:class:`content_cache.LiveReader`): what the
preview renders is exactly what a player holds, without a copy of any media file.

Only ``kiosk.cli`` imports the town's side (``hub``); the renderers get the
:class:`content_cache.LiveContent` and the media paths.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from content_cache import LightCache, LiveContent, LiveReader

if TYPE_CHECKING:
    from hub.sources import SourcesRun

log = logging.getLogger(__name__)


class InvalidContent(Exception):
    """The folder cannot be previewed: ``lines`` are the publisher's messages, one each."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = tuple(lines) or ("the content folder has problems",)
        super().__init__(self.lines[0])


@dataclass(frozen=True)
class FolderContent:
    """The folder's content as a player reads it, and what the publisher would warn about."""

    content: LiveContent
    warnings: tuple[str, ...]


def load_folder(src: Path, published_at: datetime, work: Path, state: Path | None = None) -> FolderContent:
    """Read ``src`` into ``work`` (a private folder kept while the content is used: the
    media paths point into it). ``published_at`` stamps the version (the engine trusts
    the clock from a day before it). Raises :class:`InvalidContent`."""
    from hub.publisher import PublishError, check_source, uses_sources
    from sync import ManifestError, manifest_bytes, validate_document
    from sync.to_cache import version_rows

    when = published_at.astimezone(UTC)
    try:
        check = check_source(Path(src), now=when, decode_media=False)
    except PublishError as e:
        raise InvalidContent(e.problems) from None
    if check.problems:
        raise InvalidContent([str(n) for n in check.problems])
    doc, files = dict(check.document), dict(check.files)
    source_warnings: list[str] = []
    if uses_sources(Path(src), doc):  # as kiosk publish: their parsers are the hub extra's
        errors, source_warnings = _sources(Path(src), state, when).contribute(doc, files)
        if errors:
            raise InvalidContent(errors)
    version = "c" + hashlib.sha256(manifest_bytes(doc)).hexdigest()[:20]
    stamped = json.loads(json.dumps(
        {"version": version, "published_at": when.isoformat().replace("+00:00", "Z"), **doc}))
    try:
        manifest = validate_document(stamped, source=str(src))
    except ManifestError as e:
        raise InvalidContent([f"{src}: {p}" for p in e.problems]) from None
    rows = version_rows(manifest, manifest_sha256=hashlib.sha256(manifest_bytes(stamped)).hexdigest(),
                        etag=None, now=when)
    cache = LightCache(work / "cache").open()
    try:
        for sha, path in files.items():
            target = cache.store.path_for(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.symlink(Path(path).resolve(), target)
        cache.install_version(rows, when)
    finally:
        cache.close()
    with LiveReader(cache.db_path, cache.store) as reader:
        content = reader.read_live()
    assert content is not None  # installed just above
    warnings = (*(str(w) for w in check.warnings), *source_warnings)
    return FolderContent(content, tuple(warnings))


def _sources(src: Path, state: Path | None, now: datetime) -> SourcesRun:
    try:
        from hub.sources import SourcesRun
    except ImportError as e:
        raise InvalidContent([f"{src}: sources.toml and opening_hours need the hub's libraries ({e.name} is "
                              "missing): pip install 'town-kiosk[hub]'"]) from None

    run = SourcesRun(src, state, now=now)
    run.use_last_good()  # a preview asks no source: their last good results, as published
    return run

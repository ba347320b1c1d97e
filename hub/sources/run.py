"""One run of the sources: fetch each, keep its last good result when it fails, hold what
waits for review, and hand the publisher what to add.

:class:`SourcesRun` is what ``kiosk publish`` and the publisher use::

    run = SourcesRun(src, state_dir, now=now)
    run.fetch()                        # every source, conditionally; never raises for a source
    errors, warnings = run.contribute(doc, files)   # merged into the manifest document

A source that fails (unreachable, HTTP error, too large, hostile XML, unparsable) keeps its
last good result, which is published again; ``run.stale`` names it with its one-line
problem. ``alerts_only`` asks only the alert kinds (the every-minute path) and uses the
others' last good results without a request.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from content_cache import DEFAULT_TIMEZONE

from .base import Context, FetchError, MediaFile, Payload, SourceError, SourceResult, SourceSpec
from .config import SourcesConfig, load_sources
from .fetch import IMAGE_TYPES, Fetcher
from .kinds import DEFAULTS, kind_fields, make_source
from .merge import merge_into
from .review import Held, hold_for_review
from .state import MediaStore, ReviewList, SourceState, default_state_dir

log = logging.getLogger(__name__)
IMAGE_MAX_BYTES = 20 * 1024 * 1024
_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "image/webp": b"RIFF"}


@dataclass(frozen=True)
class Outcome:
    """How one source did in this run."""

    spec: SourceSpec
    result: SourceResult | None  # what is published for it (fresh, or its last good one)
    ok: bool
    changed: bool = False  # its result differs from the last good one
    fresh: bool = True  # asked in this run (False: alert-only run, a non-alert source)
    message: str = ""  # the problem, when not ok
    last_good_at: str = ""


@dataclass
class Site:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    languages: tuple[str, ...] = ("fr",)
    holidays: dict[date, dict[str, str]] = field(default_factory=dict)
    neutrality: Any = None

    @classmethod
    def read(cls, src: Path) -> Site:
        try:
            with (src / "site.toml").open("rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError):
            return cls()  # the publisher reports site.toml's problems
        site = data.get("site") or {}
        out = cls()
        with contextlib.suppress(ValueError, KeyError):
            out.tz = ZoneInfo(str(site.get("timezone", DEFAULT_TIMEZONE)))
        langs = site.get("languages")
        if isinstance(langs, list) and langs and all(isinstance(x, str) for x in langs):
            out.languages = tuple(langs)
        for h in site.get("holidays") or ():
            if isinstance(h, dict) and isinstance(h.get("date"), date):
                label = h.get("label")
                out.holidays[h["date"]] = dict(label) if isinstance(label, dict) else {}
        out.neutrality = data.get("neutrality")
        return out


class _Images:
    """The media sink of one source: each image URL fetched once, checked, stored."""

    def __init__(self, store: MediaStore, fetcher: Fetcher, spec: SourceSpec) -> None:
        self.store, self.fetcher, self.spec = store, fetcher, spec
        self.warnings: list[str] = []

    def image(self, url: str) -> MediaFile | None:
        known = self.store.known(url)
        if known is not None:
            return known
        try:
            answer = self.fetcher.get(url, accept=IMAGE_TYPES, what="an image (JPEG, PNG or WebP)",
                                      max_bytes=IMAGE_MAX_BYTES, timeout_s=self.spec.timeout_s)
        except FetchError as e:
            self.warnings.append(f"image {url}: {e}; the page shows without it")
            return None
        mime = answer.content_type if answer.content_type in IMAGE_TYPES else _sniff(answer.body)
        if mime is None or not answer.body.startswith(_MAGIC[mime]):
            self.warnings.append(f"image {url}: not a JPEG, PNG or WebP file; the page shows without it")
            return None
        name = Path(urlsplit(url).path).name or "image"
        return self.store.put(url, answer.body, mime, name)


def _sniff(body: bytes) -> str | None:
    return next((m for m, magic in _MAGIC.items() if body.startswith(magic)), None)


class SourcesRun:
    """The sources of one content folder for one publish (see the module's docstring)."""

    def __init__(self, src: Path, state_dir: Path | None = None, *, now: datetime | None = None,
                 alerts_only: bool = False, only: Iterable[str] = (), release: Iterable[str] = (),
                 fetcher: Fetcher | None = None) -> None:
        self.src = Path(src)
        self.state_dir = Path(state_dir) if state_dir else default_state_dir(self.src)
        self.now = (now or datetime.now(UTC)).astimezone(UTC)
        self.alerts_only = alerts_only
        self.only = set(only)
        self.release = tuple(release)
        self.fetcher = fetcher
        self.site = Site.read(self.src)
        self.config: SourcesConfig = load_sources(self.src, self.site.languages[0], kind_fields(), DEFAULTS)
        self.outcomes: list[Outcome] = []
        self.held: list[Held] = []
        self.notes: list[str] = []  # warnings of the sources and of the merge
        self.fetched = False
        self.fetcher_stats: dict[str, int] = {}

    @property
    def has_sources(self) -> bool:
        return self.config.path is not None

    @property
    def context(self) -> Context:
        return Context(self.now, self.site.tz, self.site.languages, self.site.holidays)

    @property
    def stale(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def changed(self) -> bool:
        """Did any source asked in this run give something new (or stop giving)?"""
        return any(o.changed for o in self.outcomes)

    @property
    def problems(self) -> list[str]:
        """One line per source that failed, and per mistake in sources.toml."""
        lines = list(self.config.problems)
        for o in self.stale:
            kept = (f"its last good result (from {o.last_good_at[:16].replace('T', ' ')}) is published"
                    if o.result is not None else "nothing from it is published yet")
            lines.append(f'source "{o.spec.id}" ({o.spec.kind}): {o.message}; {kept}')
        return lines

    def fetch(self) -> None:
        """Ask every source (each failure is kept as its outcome, never raised)."""
        if self.fetched:
            return
        self.fetched = True
        if not self.config.sources:
            return
        fetcher = self.fetcher or Fetcher()
        store = MediaStore(self.state_dir)
        ctx = self.context
        try:
            for spec in self.config.sources:
                if self.only and spec.id not in self.only:
                    continue
                self.outcomes.append(self._one(spec, fetcher, store, ctx))
        finally:
            self.fetcher_stats = {"requests": fetcher.requests, "conditional": fetcher.conditional,
                                  "not_modified": fetcher.not_modified}
            if self.fetcher is None:
                fetcher.close()
        self._review(ctx)

    def use_last_good(self) -> None:
        """Ask no source: each one's last good result stands as its outcome (``kiosk
        preview`` shows what the sources gave without waiting for the network)."""
        if self.fetched:
            return
        self.fetched = True
        for spec in self.config.sources:
            if self.only and spec.id not in self.only:
                continue
            last = SourceState(self.state_dir, spec.id).last_good()
            if last is not None:
                self.outcomes.append(Outcome(spec, last.result, ok=True, fresh=False, last_good_at=last.fetched_at))
        self._review(self.context, save=False)  # held as a publish would hold them; the state is not written

    def _one(self, spec: SourceSpec, fetcher: Fetcher, store: MediaStore, ctx: Context) -> Outcome:
        source = make_source(spec)
        state = SourceState(self.state_dir, spec.id)
        last = state.last_good()
        last_at = last.fetched_at if last else ""
        if self.alerts_only and not source.alert:
            return Outcome(spec, last.result if last else None, ok=True, fresh=False, last_good_at=last_at)
        images = _Images(store, fetcher, spec)
        try:
            payload = source.fetch(fetcher, state)
            key = source.time_key(ctx)
            sha = hashlib.sha256(payload.body).hexdigest()
            if last is not None and payload.not_modified and last.body_sha256 == sha and last.time_key == key:
                result = last.result  # nothing new, nothing that depends on the time: no parsing
            else:
                result = source.parse(payload, ctx, images)
                if images.warnings:
                    result = SourceResult(result.documents, result.bulletins, result.items, result.media,
                                          result.warnings + tuple(images.warnings))
            changed = state.save_good(payload.body, result, key, self.now)
            _save_validators(state, payload)
            state.save_status(True, "", self.now)
            if changed:
                log.info("source %s (%s): %d document(s), bulletin(s) and item(s)", spec.id, spec.kind, result.count())
            self.notes += [f'source "{spec.id}": {w}' for w in result.warnings]
            return Outcome(spec, result, ok=True, changed=changed, last_good_at=self.now.isoformat())
        except SourceError as e:
            message = str(e) or type(e).__name__
            previous_status = state.status()
            state.save_status(False, message, self.now)
            if previous_status.get("ok", True) or previous_status.get("message") != message:
                log.warning("source %s (%s): %s", spec.id, spec.kind, message)
            return Outcome(spec, last.result if last else None, ok=False, message=message, last_good_at=last_at)

    def _review(self, ctx: Context, *, save: bool = True) -> None:
        reviewed = [o for o in self.outcomes if o.spec.hold_for_review and o.result is not None]
        if not reviewed and not self.release:
            return
        review = ReviewList(self.state_dir)
        for item_id in self.release:
            review.release(item_id)
        kept: list[Outcome] = []
        for o in self.outcomes:
            if o.spec.hold_for_review and o.result is not None:
                result, held = hold_for_review(o.spec, o.result, review, ctx, self.site.neutrality)
                self.held += held
                o = Outcome(o.spec, result, o.ok, o.changed, o.fresh, o.message, o.last_good_at)
            kept.append(o)
        self.outcomes = kept
        if save:
            review.save()
        unknown = [r for r in self.release if r not in review.first_seen]
        self.notes += [f"--release {r}: no item of a source held for review has this id" for r in unknown]

    def contribute(self, doc: dict[str, Any], files: dict[str, Path]) -> tuple[list[str], list[str]]:
        """Merge into the manifest document ``doc`` (and its media ``files``) what the sources
        give, after the hand-written content (which wins on the same id); convert
        ``opening_hours`` wherever services have hours. Returns (errors, warnings)."""
        self.fetch()
        results = [(o.spec.id, o.result) for o in self.outcomes if o.result is not None]
        site = self.site
        errors, warnings = merge_into(doc, files, results, MediaStore(self.state_dir), src=self.src, tz=site.tz,
                                      today=self.now.astimezone(site.tz).date(), holidays=site.holidays,
                                      lang=site.languages[0], school_zone=self.config.school_zone)
        return errors, [*self.problems, *self.notes, *warnings]


def _save_validators(state: SourceState, payload: Payload) -> None:
    if payload.validators:
        state.save_validators(payload.validators, payload.charset)

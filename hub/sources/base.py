"""The Source interface, what a source gives, and the errors a source raises, side by side.

A source is one ``[[source]]`` of ``sources.toml``: a kind (``rss``, ``ics``, ``cap`` …)
with its options. Each kind is one module with one class following :class:`Source`: it
fetches (through the shared :class:`~hub.sources.fetch.Fetcher`, conditionally) and parses
what it fetched into a :class:`SourceResult` — kiosk documents, bulletins and playlist
items as manifest JSON, plus the media files they name. Parsing is pure: the same bytes and
the same ``now`` give the same result, which is what keeps an unchanged source publishing
the same version.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

JSON = dict[str, Any]
ID_MAX = 64


class SourceError(Exception):
    """A source could not give a result this time; the message is one line, for the town's
    staff (the source's id is added by whoever reports it). Its last good result is kept."""


class FetchError(SourceError):
    """The request failed: unreachable, timed out, an HTTP error, too large, wrong type."""


class ParseError(SourceError):
    """The answer came but is not what the kind reads (malformed, hostile, empty)."""


@dataclass(frozen=True)
class Validators:
    """What makes the next request conditional."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in (("etag", self.etag), ("last_modified", self.last_modified)) if v}


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: 200 with its body, or 304 (``body`` empty)."""

    status: int
    body: bytes
    content_type: str  # media type without parameters, lowercase
    charset: str | None
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class SourceSpec:
    """One checked ``[[source]]``: common settings typed, the kind's own in ``options``."""

    id: str
    kind: str
    url: str
    name: str
    licence: str
    language: str
    tags: tuple[str, ...]
    category: str
    hold_for_review: bool
    max_bytes: int
    timeout_s: float
    options: Mapping[str, Any] = field(default_factory=dict)
    key_file: str = ""
    key_env: str = ""
    base_dir: Path = Path(".")

    def option(self, name: str) -> Any:
        return self.options[name]

    def credential(self) -> str:
        """The key from ``key_file`` or ``key_env``; raises FetchError (one line) if absent."""
        if self.key_file:
            path = Path(self.key_file)
            if not path.is_absolute():
                path = self.base_dir / path
            try:
                value = path.read_text(encoding="utf-8").strip()
            except OSError as e:
                raise FetchError(f"key_file {path}: {e.strerror or e}") from None
            if not value:
                raise FetchError(f"key_file {path} is empty")
            return value
        if self.key_env:
            value = os.environ.get(self.key_env, "").strip()
            if not value:
                raise FetchError(f"key_env: the environment variable {self.key_env} is not set")
            return value
        raise FetchError('this kind needs a key: add key_file = "…" or key_env = "…"')


@dataclass(frozen=True)
class MediaFile:
    """An image a source's documents name, kept in the state folder's media store."""

    sha256: str
    size: int
    type: str  # image/jpeg | image/png | image/webp
    name: str  # for display only (the URL's last part)


@dataclass(frozen=True)
class Payload:
    """What a source fetched: the body (possibly the previous one, on a 304) and when the
    source says it changed last."""

    body: bytes
    not_modified: bool  # every request was answered 304: the body is the stored one
    charset: str | None = None  # the charset the HTTP answer declared
    # What to send next time, by URL: saved only once this body gave a good result, so a
    # broken answer is asked for again (not answered 304 and mistaken for the last good one).
    validators: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class SourceResult:
    """What one source gives: manifest JSON fragments, ready to merge.

    ``documents`` maps a kiosk section (``news``, ``events``, ``services``, ``menus`` …) to
    its documents; ``bulletins`` are manifest bulletins; ``items`` are (playlist id, item);
    ``media`` are the files the documents and items name by sha256. ``media_urls`` maps each
    image URL to the sha256 it had, so a later fetch downloads only new images.
    """

    documents: Mapping[str, tuple[JSON, ...]] = field(default_factory=dict)
    bulletins: tuple[JSON, ...] = ()
    items: tuple[tuple[str, JSON], ...] = ()
    media: tuple[MediaFile, ...] = ()
    warnings: tuple[str, ...] = ()

    def count(self) -> int:
        return sum(len(d) for d in self.documents.values()) + len(self.bulletins) + len(self.items)

    def to_json(self) -> JSON:
        return {
            "documents": {k: list(v) for k, v in sorted(self.documents.items())},
            "bulletins": list(self.bulletins),
            "items": [[p, i] for p, i in self.items],
            "media": [m.__dict__ for m in self.media],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> SourceResult:
        return cls(
            documents={k: tuple(v) for k, v in (raw.get("documents") or {}).items()},
            bulletins=tuple(raw.get("bulletins") or ()),
            items=tuple((p, i) for p, i in raw.get("items") or ()),
            media=tuple(MediaFile(**m) for m in raw.get("media") or ()),
            warnings=tuple(raw.get("warnings") or ()),
        )


@dataclass(frozen=True)
class Context:
    """What parsing may depend on besides the bytes: the site and the instant."""

    now: datetime  # tz-aware
    tz: ZoneInfo
    languages: tuple[str, ...]  # the site's, the first is the default
    holidays: Mapping[date, Mapping[str, str]] = field(default_factory=dict)  # site holidays and labels

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


class HttpGetter(Protocol):
    """The fetch layer as a source sees it (:class:`hub.sources.fetch.Fetcher`)."""

    def get(self, url: str, *, accept: Iterable[str], what: str, validators: Validators | None = None,
            params: Mapping[str, Any] | list[tuple[str, str]] | None = None, headers: Mapping[str, str] | None = None,
            max_bytes: int = ..., timeout_s: float | None = None) -> Answer:
        ...


class StoredAnswers(Protocol):
    """A source's memory of its last good answer (:class:`hub.sources.state.SourceState`)."""

    def body(self) -> bytes | None:
        ...

    def validators(self, url: str) -> Validators:
        ...

    def charset(self, url: str) -> str | None:
        ...


class MediaSink(Protocol):
    """Where a source's images go: fetched (once per URL), checked, stored."""

    def image(self, url: str) -> MediaFile | None:
        """The image at ``url`` in the state folder's store, or None (with a warning kept)."""
        ...


class Source(Protocol):
    """One kind of source. ``alert`` kinds run on the every-minute alert path."""

    kind: ClassVar[str]
    alert: ClassVar[bool]
    spec: SourceSpec

    def fetch(self, fetcher: HttpGetter, state: StoredAnswers) -> Payload:
        """Fetch, conditionally; raises FetchError. On 304 returns the stored body."""
        ...

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        """The documents this body gives at ``ctx.now``; raises ParseError."""
        ...

    def time_key(self, ctx: Context) -> str:
        """What of ``ctx.now`` the result depends on (e.g. the day of an agenda's horizon):
        an unchanged body with the same key gives the stored result without parsing."""
        ...


# -- ids ----------------------------------------------------------------------------------
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 32) -> str:
    """``"Piscine des Tilleuls"`` → ``"piscine-des-tilleuls"`` (ASCII, for ids)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _SLUG_DROP.sub("-", folded).strip("-")[:limit].strip("-")


def stable_id(source_id: str, *parts: object) -> str:
    """An id for an ingested document that stays the same across fetches: the source's id
    and a short hash of what identifies the thing in the source (a guid, a UID and its
    occurrence), so two sources never collide and a re-ordered feed changes nothing."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]
    return f"{source_id[: ID_MAX - 13]}-{digest}"


def attribution(name: str, url: str | None, updated: datetime | date | None, licence: str | None) -> JSON:
    """The ``source`` of a kiosk document: who publishes it and its date (Licence Ouverte
    asks for both), with the licence when the town declared one."""
    out: JSON = {"name": name[:200]}
    if url and url.startswith("https://"):
        out["url"] = url[:2000]
    if isinstance(updated, datetime):
        out["date"] = updated.date().isoformat()
    elif isinstance(updated, date):
        out["date"] = updated.isoformat()
    if licence:
        out["licence"] = licence[:200]
    return out


def localised(text: str, lang: str) -> JSON:
    return {lang: text}


def iso_utc(value: datetime) -> str:
    """An aware datetime as the manifest writes instants (UTC, ``Z``)."""
    from datetime import UTC

    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

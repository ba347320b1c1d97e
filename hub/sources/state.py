"""The sources' state folder: each source's last good result, what makes its next request
conditional, the images they name, and the election-period review list.

The folder is the publisher's memory between runs and is never served: it lives outside the
published tree (default: ``<content folder>.sources-state`` beside the content folder;
``kiosk publish --state DIR``; ``/var/lib/kiosk-hub/sources`` under systemd). Every file is
written to a temporary name and renamed, so a run killed half-way leaves the previous state.
One run at a time holds ``lock`` (the every-minute alert run and the every-few-minutes
publish may start together; the second waits).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from content_cache import write_atomic as durable_write

from .base import JSON, MediaFile, SourceResult, Validators

log = logging.getLogger(__name__)


def default_state_dir(src: Path) -> Path:
    """``/srv/kiosk/contenu`` → ``/srv/kiosk/contenu.sources-state``."""
    src = Path(src).resolve()
    return src.parent / f"{src.name}.sources-state"


def write_atomic(path: Path, data: bytes) -> None:
    """The sources' state files, replaced atomically (one reader never sees half a file)."""
    durable_write(path, data, sync_dir=False)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        log.warning("%s: unreadable (%s); starting without it", path, e)
        return None


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class LastGood:
    """A source's last good result and what it was made from."""

    result: SourceResult
    body_sha256: str
    time_key: str
    fetched_at: str  # ISO instant of the fetch that gave it


class SourceState:
    """One source's files: ``body`` (the last good answer, re-read on a 304),
    ``result.json``, ``http.json`` (validators by URL) and ``status.json`` (the last try)."""

    def __init__(self, root: Path, source_id: str) -> None:
        self.dir = root / "sources" / source_id

    # -- conditional requests --
    def validators(self, url: str) -> Validators:
        raw = (_read_json(self.dir / "http.json") or {}).get(url) or {}
        return Validators(raw.get("etag"), raw.get("last_modified"))

    def charset(self, url: str) -> str | None:
        return ((_read_json(self.dir / "http.json") or {}).get(url) or {}).get("charset")

    def save_validators(self, pairs: Iterable[tuple[str, Validators]], charset: str | None) -> None:
        data = _read_json(self.dir / "http.json") or {}
        new = dict(data)
        for url, v in pairs:
            new[url] = {**v.to_json(), **({"charset": charset} if charset else {})}
        if new != data:
            write_atomic(self.dir / "http.json", _dump(new))

    # -- the last good answer and result --
    def body(self) -> bytes | None:
        try:
            return (self.dir / "body").read_bytes()
        except FileNotFoundError:
            return None

    def last_good(self) -> LastGood | None:
        raw = _read_json(self.dir / "result.json")
        if not isinstance(raw, dict) or "result" not in raw:
            return None
        try:
            return LastGood(SourceResult.from_json(raw["result"]), raw.get("body_sha256", ""),
                            raw.get("time_key", ""), raw.get("fetched_at", ""))
        except (TypeError, ValueError, KeyError) as e:
            log.warning("%s: unreadable last result (%s)", self.dir, e)
            return None

    def save_good(self, body: bytes, result: SourceResult, time_key: str, fetched_at: datetime) -> bool:
        """Keep ``result`` as the last good one; True if it differs from the previous."""
        sha = hashlib.sha256(body).hexdigest()
        if self.body() != body:
            write_atomic(self.dir / "body", body)
        previous = _read_json(self.dir / "result.json") or {}
        changed = previous.get("result") != json.loads(_dump(result.to_json()))
        record = {"result": result.to_json(), "body_sha256": sha, "time_key": time_key,
                  "fetched_at": previous.get("fetched_at") if not changed else fetched_at.isoformat()}
        if record["fetched_at"] is None:
            record["fetched_at"] = fetched_at.isoformat()
        if _dump(record) != _dump(previous):
            write_atomic(self.dir / "result.json", _dump(record))
        return changed

    # -- the last try, for `kiosk sources check` and the status line --
    def save_status(self, ok: bool, message: str, at: datetime) -> None:
        previous = _read_json(self.dir / "status.json") or {}
        record = {"ok": ok, "message": message, "at": at.isoformat(),
                  "since": previous.get("since") if previous.get("ok") == ok else at.isoformat()}
        write_atomic(self.dir / "status.json", _dump(record))

    def status(self) -> JSON:
        return _read_json(self.dir / "status.json") or {}


class MediaStore:
    """Images of the sources, by sha256, with the URL each came from (``index.json``)."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "media"
        self._index: dict[str, Any] | None = None

    def path(self, sha: str) -> Path:
        return self.dir / sha

    @property
    def index(self) -> dict[str, Any]:
        if self._index is None:
            self._index = _read_json(self.dir / "index.json") or {}
        return self._index

    def known(self, url: str) -> MediaFile | None:
        raw = self.index.get(url)
        if not raw:
            return None
        m = MediaFile(raw["sha256"], raw["size"], raw["type"], raw["name"])
        return m if self.path(m.sha256).is_file() else None

    def put(self, url: str, data: bytes, mime: str, name: str) -> MediaFile:
        sha = hashlib.sha256(data).hexdigest()
        if not self.path(sha).is_file():
            write_atomic(self.path(sha), data)
        m = MediaFile(sha, len(data), mime, name[:255])
        self.index[url] = m.__dict__
        write_atomic(self.dir / "index.json", _dump(self.index))
        return m


class ReviewList:
    """Items of sources marked ``hold_for_review``: when each was first seen, and those
    released by id (``kiosk publish --release ID``)."""

    def __init__(self, root: Path) -> None:
        self.path = root / "review.json"
        raw = _read_json(self.path) or {}
        self.first_seen: dict[str, str] = dict(raw.get("first_seen") or {})
        self.released: set[str] = set(raw.get("released") or ())
        self._dirty = False

    def seen(self, item_id: str, now: datetime) -> datetime:
        if item_id not in self.first_seen:
            self.first_seen[item_id] = now.isoformat()
            self._dirty = True
        return datetime.fromisoformat(self.first_seen[item_id])

    def release(self, item_id: str) -> None:
        if item_id not in self.released:
            self.released.add(item_id)
            self._dirty = True

    def save(self) -> None:
        if self._dirty:
            write_atomic(self.path, _dump({"first_seen": self.first_seen, "released": sorted(self.released)}))
            self._dirty = False


@contextlib.contextmanager
def locked(root: Path, wait_s: float = 600.0) -> Iterator[None]:
    """Hold the state folder's lock (waits for a run in progress, up to ``wait_s``)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("a") as f:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{root}: another publish has held the lock for {wait_s:.0f} s") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)

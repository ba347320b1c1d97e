"""Keeping the cache within its means: space (quota, garbage) and integrity checks.

A mixin of both ways of opening the cache (:class:`content_cache.cache.ContentCache`,
:class:`content_cache.light.LightCache`): SQL on the connection ``_sql()`` gives (see
:class:`content_cache.writes.VersionWrites`), and the media store.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import QuotaExceeded
from .faults import free_bytes, human_bytes, no_space
from .live_read import POINTER_ID, utc
from .partials import collect_partials, partial_bytes
from .writes import VersionWrites, immediate, in_json, sql_time

log = logging.getLogger(__name__)

# Kept free beside the media when planning a download: SQLite's write-ahead log and the
# version switch, the outbox and the play log need a little room too.
DISK_RESERVE_BYTES = 2 << 20
_BLOCK = 4096  # a file takes whole blocks: small files count for more than their size


@dataclass(frozen=True)
class VerifyReport:
    files: int
    hashed: int
    missing: tuple[str, ...]
    corrupt: tuple[str, ...]


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


class UpkeepMixin(VersionWrites):
    root: Path  # the cache folder (DATA/cache)

    # -- space -------------------------------------------------------------------
    def version_files(self, version_id: str | None) -> dict[str, int]:
        if not version_id:
            return {}
        with self._sql() as con:
            return dict(con.execute("SELECT sha256, size FROM version_media WHERE version_id = ?",
                                    (version_id,)).fetchall())

    def make_room(self, needed: dict[str, int], max_bytes: int | None, version: str) -> None:
        """Make sure ``needed`` files fit beside the live version within ``max_bytes``.

        The previous version is given up (rows and files) when that is what it takes;
        raises :class:`QuotaExceeded` when even that is not enough. Nothing of the live
        version is ever removed.
        """
        if max_bytes is None:
            return
        state = self.live_state()
        live = self.version_files(state.live_version_id)
        required = sum({**live, **needed}.values())
        if required > max_bytes:
            raise QuotaExceeded(
                f"version {version} does not fit: it needs {_mb(sum(needed.values()))} "
                f"beside the live version's {_mb(sum(live.values()))}, cache.max_bytes is {_mb(max_bytes)}"
            )
        to_fetch = sum(size for sha, size in needed.items() if not self.store.has(sha, size))
        if self.store.bytes_used() + to_fetch <= max_bytes:
            return
        if state.previous_version_id:
            self._give_up_previous(version)
        self.collect_garbage(extra_keep=set(needed))
        self.store.clear_temp(keep=set(needed))

    def _give_up_previous(self, version: str | None) -> None:
        with self._sql() as con, immediate(con):
            previous = con.execute("SELECT previous_version_id FROM live_pointer WHERE id = ?",
                                   (POINTER_ID,)).fetchone()[0]
            con.execute("UPDATE live_pointer SET previous_version_id = NULL WHERE id = ?", (POINTER_ID,))
            con.execute("DELETE FROM content_version WHERE id = ?", (previous,))
        log.info("gave up previous version %s to make room for %s", previous,
                 version or "the live version's missing files")

    def make_disk_room(self, needed: dict[str, int], version: str | None, now: float,
                       reserve: int = DISK_RESERVE_BYTES) -> None:
        """Make sure the files of ``needed`` not yet stored fit on the disk, with
        ``reserve`` bytes to spare; ``version`` is the one they are for (None: the live
        version's missing files). ``now``: POSIX time, for the partials' ages.

        Partial downloads no wanted version needs are removed at once when the room is
        short, then the previous version is given up if that makes it fit. Raises
        :class:`NoSpace` — ``no space left on DATA: N free, the new version needs M`` —
        when even that is not enough; nothing of the live version is ever removed.
        """
        missing = {sha: size for sha, size in needed.items() if not self.store.has(sha, size)}
        to_fetch = sum(size - partial_bytes(self.store, sha) + _BLOCK for sha, size in missing.items())
        if not missing or free_bytes(self.store.root) - reserve >= to_fetch:
            return
        collect_partials(self.store, set(needed), now, pressure=True)
        free = free_bytes(self.store.root)
        if free - reserve >= to_fetch:
            return
        state = self.live_state()
        if state.previous_version_id:
            keep = set(self.version_files(state.live_version_id)) | set(needed)
            previous_only = sum(size for sha, size in self.version_files(state.previous_version_id).items()
                                if sha not in keep and self.store.has(sha, size))
            if free + previous_only - reserve >= to_fetch:
                self._give_up_previous(version)
                self.collect_garbage(extra_keep=set(needed))
                return
        total = sum(missing.values())
        what = (f"the new version needs {human_bytes(total)}" if version
                else f"the live version's missing files need {human_bytes(total)}")
        raise no_space(self.root.parent, what)

    # -- integrity ---------------------------------------------------------------
    def missing_live_files(self) -> dict[str, int]:
        """Files of the live version absent from the store or of the wrong size."""
        live = self.version_files(self.live_state().live_version_id)
        return {sha: size for sha, size in live.items() if not self.store.has(sha, size)}

    def verify_live(self, now: datetime, hash_budget_s: float = 10.0) -> VerifyReport:
        """Check the live version's files: every size, and hashes within a time budget.

        Hashing starts with the files checked longest ago, so successive starts cover
        everything. A bad file is removed (it is fetched again by the next sync) and
        marked, so what the device reports is what is on disk.
        """
        live = self.version_files(self.live_state().live_version_id)
        with self._sql() as con:
            order = {sha: utc(at) for sha, at in con.execute(
                "SELECT sha256, verified_at FROM media_file WHERE sha256 IN (SELECT value FROM json_each(?))",
                (in_json(list(live)),),
            )}
        missing, corrupt, hashed = [], [], 0
        deadline = time.monotonic() + hash_budget_s
        for sha in sorted(live, key=lambda d: (order.get(d) or now, d)):
            size = live[sha]
            if not self.store.has(sha, size):
                missing.append(sha)
                self.store.remove(sha)
                continue
            if time.monotonic() < deadline:
                hashed += 1
                if not self.store.verify(sha, size):
                    corrupt.append(sha)
                    self.store.remove(sha)
                    continue
                self._mark(sha, now, None)
        for sha in missing:
            self._mark(sha, None, "missing")
        for sha in corrupt:
            self._mark(sha, None, "corrupt")
        if missing or corrupt:
            log.warning("live version: %d file(s) missing, %d corrupt; they will be fetched again",
                        len(missing), len(corrupt))
        return VerifyReport(len(live), hashed, tuple(missing), tuple(corrupt))

    def _mark(self, sha: str, verified_at: datetime | None, problem: str | None) -> None:
        with self._sql() as con, immediate(con):
            con.execute(
                "UPDATE media_file SET problem = ?, verified_at = coalesce(?, verified_at) WHERE sha256 = ?",
                (problem, sql_time(verified_at) if verified_at is not None else None, sha),
            )

    def media_problems(self) -> dict[str, str]:
        with self._sql() as con:
            return dict(con.execute("SELECT sha256, problem FROM media_file WHERE problem IS NOT NULL").fetchall())

    def clear_problem(self, sha: str, now: datetime) -> None:
        self._mark(sha, now, None)

    # -- housekeeping ----------------------------------------------------------
    def referenced_digests(self) -> set[str]:
        """Digests needed by the live or previous version."""
        with self._sql() as con:
            return {r[0] for r in con.execute("SELECT DISTINCT sha256 FROM version_media")}

    def collect_garbage(self, extra_keep: set[str] | None = None) -> list[str]:
        """Delete store files and media rows no longer referenced by a kept version."""
        keep = self.referenced_digests() | (extra_keep or set())
        removed = sorted(self.store.list_digests() - keep)
        with self._sql() as con:
            # Written only when there is something to delete: a full disk can still be read.
            if con.execute("SELECT 1 FROM media_file WHERE sha256 NOT IN (SELECT value FROM json_each(?)) LIMIT 1",
                           (in_json(sorted(keep)),)).fetchone():
                with immediate(con):
                    con.execute("DELETE FROM media_file WHERE sha256 NOT IN (SELECT value FROM json_each(?))",
                                (in_json(sorted(keep)),))
        for sha in removed:
            self.store.remove(sha)
        if removed:
            log.info("garbage-collected %d media file(s)", len(removed))
        return removed


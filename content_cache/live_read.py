"""Reading the live content with the standard library's sqlite3 alone.

The cache's tables are defined in plain Python (``schema``) and its versions written in
plain SQL (``writes``); reading what plays needs no SQLAlchemy either. This module is the
one place that turns the live version's rows into the frozen values of
:mod:`content_cache.snapshot`, and it imports no SQLAlchemy: the player reads its first
slide from it before SQLAlchemy (about half a second of imports on a small board) is
loaded at all, and ``ContentCache.read_live`` uses it too, so there is one read path.
Column names are those of ``schema``; a test reads the same cache both ways.

A database of another schema version (before the application rebuilds it) is not read:
:meth:`LiveReader.open` says so and the caller takes the full way (``ContentCache.open``).
"""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

from .errors import SchemaMismatch
from .schema import SCHEMA_VERSION
from .snapshot import (
    BulletinData,
    ItemData,
    Layout,
    LiveContent,
    LocalText,
    MediaRef,
    PlaylistData,
    Presentation,
    is_alert,
    parse_dates,
    parse_dayparts,
    parse_holidays,
    parse_weekdays,
)
from .store import MediaStore

POINTER_ID = 1
DB_NAME = "cache.sqlite"  # in the cache folder
BUSY_TIMEOUT_MS = 5000  # readers and the cache's writers (content_cache.db) alike
# SQLite's answer when a WAL database cannot be opened because its -shm file cannot be
# made or written: SQLITE_READONLY (a folder of another user), SQLITE_CANTOPEN (a
# read-only mount), SQLITE_IOERR (SHMSIZE: a full disk).
_NOTHING_WRITABLE = (8, 14, 10)


@dataclass(frozen=True)
class LiveState:
    """The live pointer, read cheaply (one row)."""

    live_version_id: str | None
    previous_version_id: str | None
    generation: int
    switched_at: datetime | None
    etag: str | None = None


def read_live_state(con: sqlite3.Connection) -> LiveState:
    """The live pointer and the live version's ETag, on any connection of the cache."""
    row = con.execute(
        "SELECT p.live_version_id, p.previous_version_id, p.generation, p.switched_at, v.etag"
        " FROM live_pointer p LEFT JOIN content_version v ON v.id = p.live_version_id"
        " WHERE p.id = ?", (POINTER_ID,),
    ).fetchone()
    if row is None:  # created when the cache is opened; not there yet on a brand-new file
        return LiveState(None, None, 0, None)
    return LiveState(row[0], row[1], row[2] or 0, utc(row[3]), row[4])


@overload
def utc(value: str) -> datetime: ...
@overload
def utc(value: None) -> None: ...
@overload
def utc(value: str | None) -> datetime | None: ...
def utc(value: str | None) -> datetime | None:
    """A datetime column as stored by the models (naive UTC text) → an aware datetime."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _json(value: str | None) -> Any:
    """A JSON column's value (as the cache's own writes stored it), or None for NULL."""
    return None if value is None else json.loads(value)


class LiveReader:
    """Read-only access to the live version of one cache database.

    Opens one connection (WAL: readers never wait for the sync daemon's writes); every
    read is one transaction, so a version switch is seen whole or not at all.
    """

    def __init__(self, db_path: Path | str, store: MediaStore) -> None:
        self.db_path = Path(db_path)
        self.store = store
        self._con: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # one connection, used by the UI and service threads
        self.snapshot = False  # opened immutable (nothing writable beside the file)
        self.inode: int | None = None

    def open(self) -> LiveReader:
        """Connect; raises :class:`SchemaMismatch` unless the database is of this schema.

        A database that cannot be opened the usual way because nothing may be written
        beside it — a read-only folder, or a disk so full that SQLite cannot make its
        ``-shm`` file — is opened as an immutable snapshot (``snapshot`` is then True):
        what it holds can be shown, but a later version switch is not seen until it is
        opened again.
        """
        if not self.db_path.is_file():
            raise SchemaMismatch(f"{self.db_path}: no cache database yet")
        inode = self.db_path.stat().st_ino
        try:
            con, version, pointer = self._connect(self.db_path)
            self.snapshot = False
        except sqlite3.OperationalError as e:
            if (getattr(e, "sqlite_errorcode", 0) & 0xFF) not in _NOTHING_WRITABLE:
                raise
            con, version, pointer = self._connect(self.db_path.resolve().as_uri() + "?mode=ro&immutable=1")
            self.snapshot = True
        if version != SCHEMA_VERSION or not pointer:
            con.close()
            raise SchemaMismatch(f"{self.db_path}: schema {version}, this software reads {SCHEMA_VERSION}")
        con.row_factory = sqlite3.Row
        self._con = con
        self.inode = inode
        return self

    @staticmethod
    def _connect(target: Path | str) -> tuple[sqlite3.Connection, int, int]:
        con = sqlite3.connect(target, isolation_level=None, check_same_thread=False, uri=isinstance(target, str))
        try:
            con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA query_only=ON")
            version = con.execute("PRAGMA user_version").fetchone()[0]
            pointer = con.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='live_pointer'"
            ).fetchone()[0]
        except sqlite3.Error:
            con.close()
            raise
        return con, version, pointer

    def replaced(self) -> bool:
        """True when ``cache.sqlite`` is no longer the file this reader opened (the sync
        set a damaged one aside and rebuilt it): open a new reader to see it."""
        try:
            return self.db_path.stat().st_ino != self.inode
        except OSError:
            return True

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> LiveReader:
        return self if self._con is not None else self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def con(self) -> sqlite3.Connection:
        if self._con is None:
            self.open()
        assert self._con is not None
        return self._con

    # -- reads -------------------------------------------------------------------
    def live_state(self) -> LiveState:
        """One-row read the player polls to notice a new version."""
        with self._lock:
            return read_live_state(self.con)

    def read_live(self) -> LiveContent | None:
        """The live version as frozen values, or None before the first sync."""
        with self._lock:
            con = self.con
            con.execute("BEGIN")
            try:
                return self._read_live(con)
            finally:
                con.execute("COMMIT")

    def _read_live(self, con: sqlite3.Connection) -> LiveContent | None:
        pointer = con.execute(
            "SELECT live_version_id, generation FROM live_pointer WHERE id = ?", (POINTER_ID,)
        ).fetchone()
        if pointer is None or pointer["live_version_id"] is None:
            return None
        vid = pointer["live_version_id"]
        v = con.execute("SELECT * FROM content_version WHERE id = ?", (vid,)).fetchone()
        media = {
            m["sha256"]: MediaRef(
                sha256=m["sha256"],
                path=self.store.path_for(m["sha256"]),
                mime_type=m["mime_type"],
                size=m["size"],
                name=m["name"],
                duration_s=m["duration_s"],
            )
            for m in con.execute("SELECT * FROM version_media WHERE version_id = ?", (vid,))
        }
        bulletins = {
            b["id"]: bulletin_data(b, json_columns=True, media=media)
            for b in con.execute("SELECT * FROM bulletin WHERE version_id = ?", (vid,))
        }
        overlay = con.execute("SELECT source_version, bulletins FROM alert_overlay WHERE id = 1").fetchone()
        if overlay is not None and overlay["source_version"] != vid:
            # The newer manifest's alerts replace the live version's alerts (so an alert
            # withdrawn upstream also leaves the screen) while its media still download.
            bulletins = {k: b for k, b in bulletins.items() if not is_alert(b)}
            for data in json.loads(overlay["bulletins"]):
                b = bulletin_data(data, json_columns=False, media=media)
                bulletins[b.id] = b
        playlist_looks: dict[str, dict] = {
            p["id"]: _json(p["look"]) or {}
            for p in con.execute("SELECT id, look FROM playlist WHERE version_id = ?", (vid,))
        }
        items: dict[str, list[ItemData]] = {}
        for i in con.execute(
            "SELECT * FROM playlist_item WHERE version_id = ? ORDER BY playlist_id, position", (vid,)
        ):
            items.setdefault(i["playlist_id"], []).append(ItemData(
                id=i["id"],
                kind=i["kind"],
                position=i["position"],
                duration_s=i["duration_s"],
                valid_from=utc(i["valid_from"]),
                valid_until=utc(i["valid_until"]),
                media=media.get(i["media_sha256"]) if i["media_sha256"] else None,
                bulletin=bulletins.get(i["bulletin_id"]) if i["bulletin_id"] else None,
                caption=LocalText.from_mapping(_json(i["caption"])),
                weekdays=parse_weekdays(_json(i["weekdays"])),
                dayparts=parse_dayparts(_json(i["dayparts"])),
                skip_dates=parse_dates(_json(i["skip_dates"])),
                skip_holidays=bool(i["skip_holidays"]),
                priority=i["priority"] or 0,
                weight=i["weight"] or 1,
                languages=frozenset(_json(i["languages"]) or ()),
                tags=frozenset(_json(i["tags"]) or ()),
                category=i["category"],
                look=presentation(_json(i["look"]), media, playlist_looks.get(i["playlist_id"], {}).get("fit")),
            ))
        playlists = {}
        for p in con.execute("SELECT id, name FROM playlist WHERE version_id = ?", (vid,)):
            look = playlist_looks.get(p["id"], {})
            playlists[p["id"]] = PlaylistData(
                id=p["id"],
                name=LocalText.from_mapping(_json(p["name"])),
                items=tuple(items.get(p["id"], ())),
                fit=look.get("fit"),
                layout=Layout.from_mapping(look.get("layout")),
            )
        docs = [
            (d["section"], json.loads(d["body"]), d["id"])
            for d in con.execute("SELECT section, id, body FROM kiosk_document WHERE version_id = ?", (vid,))
        ]
        sections: dict[str, list[dict]] = {}
        for section, body, _id in sorted(docs, key=lambda d: (d[0], d[1].get("order", 0), d[2])):
            sections.setdefault(section, []).append(body)
        return LiveContent(
            version_id=vid,
            generation=pointer["generation"],
            published_at=utc(v["published_at"]),
            site_id=v["site_id"],
            site_name=LocalText.from_mapping(_json(v["site_name"])),
            timezone=v["timezone"],
            languages=tuple(_json(v["languages"]) or ()),
            default_playlist=v["default_playlist"],
            playlists=playlists,
            bulletins=tuple(sorted(bulletins.values(), key=lambda b: b.id)),
            kiosk_sections={k: tuple(d) for k, d in sections.items()},
            holidays=parse_holidays(_json(v["holidays"])),
            neutrality=_json(v["neutrality"]),
            layout=Layout.from_mapping(_json(v["layout"])) or Layout(),
        )


def presentation(look: dict | None, media: dict[str, MediaRef], playlist_fit: str | None = None) -> Presentation:
    """An item's ``look`` column (the manifest's fields as given) → :class:`Presentation`;
    without a fit of its own, the item takes its playlist's (``playlist_fit``)."""
    if not look:
        return Presentation(fit=playlist_fit)
    focus = look.get("focus") or {}
    return Presentation(
        fit=look.get("fit") or playlist_fit,
        focus=(float(focus.get("x", 0.5)), float(focus.get("y", 0.5))),
        caption_over=look.get("caption_position") == "over",
        portrait=media.get(look.get("media_portrait") or ""),
        landscape=media.get(look.get("media_landscape") or ""),
    )


def bulletin_data(row: sqlite3.Row | dict, *, json_columns: bool,
                  media: dict[str, MediaRef] | None = None) -> BulletinData:
    """A bulletin row (``json_columns``: title/body still JSON text) or an alert overlay's
    entry (already decoded; dates as ISO text) → :class:`BulletinData`."""
    title, body = row["title"], row["body"]
    if json_columns:
        title, body = _json(title), _json(body)

    def when(key: str) -> datetime | None:
        value = row[key]
        if not value:
            return None
        d = datetime.fromisoformat(value)
        return d if d.tzinfo else d.replace(tzinfo=UTC)

    return BulletinData(
        id=row["id"],
        category=row["category"],
        severity=row["severity"],
        title=LocalText.from_mapping(title),
        body=LocalText.from_mapping(body),
        valid_from=when("valid_from"),
        valid_until=when("valid_until"),
        alert=row["alert"] if "alert" in row.keys() else None,  # noqa: SIM118 - a sqlite3.Row has no get()
        link=row["link"] if "link" in row.keys() else None,  # noqa: SIM118
        picture=(media or {}).get(row["picture"]) if "picture" in row.keys() and row["picture"] else None,  # noqa: SIM118
    )

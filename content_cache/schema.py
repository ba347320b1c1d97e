"""The cache's tables, defined once, in plain Python (no SQLAlchemy).

Everything else is derived from :data:`TABLES`:

- the SQL that creates a database without SQLAlchemy (:func:`create_statements`, used by
  :class:`content_cache.LightCache` for ``kiosk sync --once``);
- the SQLAlchemy tables and mapped classes (:mod:`content_cache.models`, used by
  :class:`content_cache.ContentCache`);
- the declared type of each column, by which the SQL writes encode values, and the
  defaults they fill in for a column a row leaves out (:mod:`content_cache.writes`).

A change here changes all of them; bump :data:`SCHEMA_VERSION` with it (an older database
is set aside and rebuilt from the kept manifests, see :mod:`content_cache.db`). A test
creates a database both ways and compares them (tests/content_cache/test_schema.py).

A content version is stored whole: its playlists, items, bulletins and kiosk documents
all carry the version id, so switching the live pointer is a single-row update and the
previous version stays intact beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

# Bump when a table or column changes.
SCHEMA_VERSION = 4

# Declared types, as SQLite keeps them (and as SQLAlchemy's types render there). JSON is
# JSON text, DATETIME naive UTC text with microseconds, BOOLEAN 0/1.
VARCHAR, INTEGER, FLOAT, TEXT, JSON, DATETIME, BOOLEAN = (
    "VARCHAR", "INTEGER", "FLOAT", "TEXT", "JSON", "DATETIME", "BOOLEAN")


@dataclass(frozen=True)
class ColumnSpec:
    """One column. ``default``: the value an insert that leaves the column out stores
    (None: no default; such a NOT NULL column must be given)."""

    name: str
    type: str
    length: int | None = None
    nullable: bool = False
    primary_key: bool = False
    unique: bool = False
    default: object = None

    @property
    def declared(self) -> str:
        """The declared type, e.g. ``VARCHAR(64)``."""
        return f"{self.type}({self.length})" if self.length else self.type


@dataclass(frozen=True)
class ForeignKeySpec:
    columns: tuple[str, ...]
    table: str
    refers_to: tuple[str, ...]
    on_delete: str | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    foreign_keys: tuple[ForeignKeySpec, ...] = ()

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.primary_key)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _str(name: str, length: int, *, nullable: bool = False, primary_key: bool = False,
         unique: bool = False) -> ColumnSpec:
    return ColumnSpec(name, VARCHAR, length, nullable=nullable, primary_key=primary_key, unique=unique)


def _col(name: str, type_: str, *, nullable: bool = False, primary_key: bool = False,
         default: object = None) -> ColumnSpec:
    return ColumnSpec(name, type_, nullable=nullable, primary_key=primary_key, default=default)


def _fk(column: str, target: str, on_delete: str | None = None) -> ForeignKeySpec:
    table, _, col = target.partition(".")
    return ForeignKeySpec((column,), table, (col,), on_delete)


def _version_id() -> ColumnSpec:
    return _str("version_id", 64, primary_key=True)


_OF_VERSION = _fk("version_id", "content_version.id", on_delete="CASCADE")

TABLES: tuple[TableSpec, ...] = (
    TableSpec("content_version", (
        _str("id", 64, primary_key=True),
        _col("schema_version", INTEGER),
        _col("published_at", DATETIME),
        _col("received_at", DATETIME),
        _str("manifest_sha256", 64),
        _str("etag", 256, nullable=True),
        _str("site_id", 64),
        _col("site_name", JSON),
        _str("timezone", 64),
        _col("languages", JSON),
        _str("default_playlist", 64),
        # Site closures / public holidays: [{"date": "YYYY-MM-DD", "label": {...}}, ...]
        _col("holidays", JSON, nullable=True),
        # Election-period neutrality (elections and policy) as published; the player checks it.
        _col("neutrality", JSON, nullable=True),
        # The site's screen layout (manifest site.layout).
        _col("layout", JSON, nullable=True),
    )),
    # A file known to be in the media store under its sha256.
    TableSpec("media_file", (
        _str("sha256", 64, primary_key=True),
        _col("size", INTEGER),
        _col("verified_at", DATETIME),
        # Set when a check found the file missing or corrupt; cleared when it is fetched again.
        _str("problem", 32, nullable=True),
    )),
    # Which media a version needs, with the type and name the manifest gave them.
    TableSpec("version_media", (
        _version_id(),
        _str("sha256", 64, primary_key=True),
        _col("size", INTEGER),
        _str("mime_type", 64),
        _str("name", 255),
        _col("duration_s", FLOAT, nullable=True),
    ), (_OF_VERSION, _fk("sha256", "media_file.sha256"))),
    TableSpec("playlist", (
        _version_id(),
        _str("id", 64, primary_key=True),
        _col("name", JSON),
        # The playlist's presentation: {"fit": ..., "layout": {...}} as the manifest gives them.
        _col("look", JSON, nullable=True),
    ), (_OF_VERSION,)),
    TableSpec("playlist_item", (
        _str("version_id", 64, primary_key=True),
        _str("playlist_id", 64, primary_key=True),
        _col("position", INTEGER, primary_key=True),
        _str("id", 64),
        _str("kind", 16),
        _str("media_sha256", 64, nullable=True),
        _str("bulletin_id", 64, nullable=True),
        _col("duration_s", FLOAT, nullable=True),
        _col("valid_from", DATETIME, nullable=True),
        _col("valid_until", DATETIME, nullable=True),
        _col("caption", JSON, nullable=True),
        # Scheduling rules, as the manifest gives them (NULL: no rule).
        _col("weekdays", JSON, nullable=True),
        _col("dayparts", JSON, nullable=True),
        _col("skip_dates", JSON, nullable=True),
        _col("skip_holidays", BOOLEAN, default=False),
        _col("priority", INTEGER, default=0),
        _col("weight", INTEGER, default=1),
        _col("languages", JSON, nullable=True),
        _col("tags", JSON, nullable=True),
        _str("category", 32, nullable=True),
        # How it is drawn: fit, focus, caption_position, media_portrait, media_landscape.
        _col("look", JSON, nullable=True),
    ), (ForeignKeySpec(("version_id", "playlist_id"), "playlist", ("version_id", "id"), on_delete="CASCADE"),)),
    TableSpec("bulletin", (
        _version_id(),
        _str("id", 64, primary_key=True),
        _str("category", 32),
        _str("severity", 16),
        _col("title", JSON),
        _col("body", JSON),
        _col("valid_from", DATETIME, nullable=True),
        _col("valid_until", DATETIME, nullable=True),
        _str("alert", 16, nullable=True),  # banner | fullscreen
        _str("link", 2000, nullable=True),  # shown as a QR code
        _str("picture", 64, nullable=True),  # a media sha256
    ), (_OF_VERSION,)),
    # A kiosk section document (services, menus, pages...) kept as validated JSON.
    TableSpec("kiosk_document", (
        _version_id(),
        _str("section", 32, primary_key=True),
        _str("id", 64, primary_key=True),
        _col("body", JSON),
    ), (_OF_VERSION,)),
    # The single row that says which version plays; the player polls ``generation``.
    TableSpec("live_pointer", (
        _col("id", INTEGER, primary_key=True),
        _str("live_version_id", 64, nullable=True),
        _str("previous_version_id", 64, nullable=True),
        _col("generation", INTEGER, default=0),
        _col("switched_at", DATETIME, nullable=True),
    ), (_fk("live_version_id", "content_version.id"), _fk("previous_version_id", "content_version.id"))),
    # One sync attempt's outcome, for technicians (`kiosk status`) and tests.
    TableSpec("sync_run", (
        _col("id", INTEGER, primary_key=True),
        _col("started_at", DATETIME),
        _col("finished_at", DATETIME),
        _str("outcome", 16),
        _str("version_id", 64, nullable=True),
        _col("files_fetched", INTEGER, default=0),
        _col("bytes_fetched", INTEGER, default=0),
        _col("message", TEXT, default=""),
    )),
    # Alerts of a newer manifest, shown before its media have all arrived: alerts are
    # text and must not wait behind a large video of the version that carries them. The
    # overlay replaces the live version's alerts until that version goes live (or another
    # manifest replaces the overlay). One row at most.
    TableSpec("alert_overlay", (
        _col("id", INTEGER, primary_key=True),
        _str("source_version", 64),
        _col("bulletins", JSON),
        _col("set_at", DATETIME),
    )),
    # Records waiting to be uploaded (proof of play, heartbeats).
    TableSpec("outbox", (
        _col("id", INTEGER, primary_key=True),
        _str("kind", 16),
        _str("idempotency_key", 64, unique=True),
        _col("created_at", DATETIME),
        _col("payload", JSON),
    )),
    # Named counters a technician may need (e.g. outbox records dropped).
    TableSpec("counter", (
        _str("name", 64, primary_key=True),
        _col("value", INTEGER, default=0),
    )),
)

TABLE_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}


def create_statement(table: TableSpec) -> str:
    """``CREATE TABLE`` for ``table``, as SQLAlchemy writes it for SQLite (so a database
    made either way has the same ``sqlite_master``)."""
    lines = [f"{c.name} {c.declared}" + ("" if c.nullable else " NOT NULL") for c in table.columns]
    lines.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
    lines += [f"UNIQUE ({c.name})" for c in table.columns if c.unique]
    for fk in table.foreign_keys:
        line = f"FOREIGN KEY({', '.join(fk.columns)}) REFERENCES {fk.table} ({', '.join(fk.refers_to)})"
        lines.append(line + (f" ON DELETE {fk.on_delete}" if fk.on_delete else ""))
    body = ", \n\t".join(lines)
    return f"CREATE TABLE {table.name} (\n\t{body}\n)"


def create_statements() -> list[str]:
    """Every table's ``CREATE TABLE``."""
    return [create_statement(t) for t in TABLES]


_DECLARED: dict[str, dict[str, str]] = {t.name: {c.name: c.type for c in t.columns} for t in TABLES}


def declared_types(table: str) -> dict[str, str]:
    """Column name → declared type without its length (``JSON``, ``DATETIME``…), in
    table order. Raises ``KeyError`` for a table the cache does not have."""
    return _DECLARED[table]


def column_defaults(table: str) -> dict[str, object]:
    """Column name → the value stored when an insert leaves that column out."""
    return {c.name: c.default for c in TABLE_BY_NAME[table].columns if c.default is not None}

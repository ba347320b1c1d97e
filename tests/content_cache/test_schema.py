"""The cache's tables have one definition (content_cache.schema); the database the light
way creates from it (plain SQL, no SQLAlchemy: `kiosk sync --once`) is the one the full way
creates (SQLAlchemy's create_all over the tables built from it: the daemon, the player)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from content_cache import SCHEMA_VERSION, ContentCache, LightCache
from content_cache.models import metadata
from content_cache.schema import TABLES, column_defaults


def _described(db: Path) -> dict[str, object]:
    """Every table as SQLite describes it: columns, indexes (with their columns), foreign
    keys; and the schema version."""
    con = sqlite3.connect(db)
    try:
        out: dict[str, object] = {"user_version": con.execute("PRAGMA user_version").fetchone()[0]}
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for t in tables:
            indexes = con.execute(f"PRAGMA index_list({t})").fetchall()
            out[t] = {
                "columns": con.execute(f"PRAGMA table_info({t})").fetchall(),
                "indexes": sorted((i[1:], con.execute(f"PRAGMA index_info({i[1]})").fetchall()) for i in indexes),
                "foreign keys": con.execute(f"PRAGMA foreign_key_list({t})").fetchall(),
            }
        return out
    finally:
        con.close()


def test_both_ways_of_creating_the_cache_make_the_same_tables_columns_indexes_and_keys(tmp_path: Path) -> None:
    with ContentCache(tmp_path / "full"):
        pass
    with LightCache(tmp_path / "light"):
        pass
    full = _described(tmp_path / "full" / "cache.sqlite")
    light = _described(tmp_path / "light" / "cache.sqlite")
    assert light == full
    assert full["user_version"] == SCHEMA_VERSION
    assert sorted(k for k in full if k != "user_version") == sorted(t.name for t in TABLES)
    outbox = full["outbox"]
    assert isinstance(outbox, dict) and [i[0][1] for i in outbox["indexes"]] == [1]  # idempotency_key is unique
    item = full["playlist_item"]
    assert isinstance(item, dict)
    assert {(fk[2], fk[3], fk[4], fk[6]) for fk in item["foreign keys"]} == {
        ("playlist", "version_id", "version_id", "CASCADE"), ("playlist", "playlist_id", "id", "CASCADE")}


def test_the_sqlalchemy_tables_are_the_definitions_columns_with_their_defaults() -> None:
    for spec in TABLES:
        table = metadata.tables[spec.name]
        assert [c.name for c in table.columns] == [c.name for c in spec.columns]
        assert [c.name for c in table.primary_key] == list(spec.primary_key)
        assert {c.name for c in table.columns if c.nullable} == {c.name for c in spec.columns if c.nullable}
        defaults = {c.name: c.default.arg for c in table.columns if c.default is not None}  # type: ignore[attr-defined]
        assert defaults == column_defaults(spec.name), spec.name

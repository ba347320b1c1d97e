"""The schema is only what the Alembic revisions make, and they make what the models say."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from hub.db import Database, current_revision, head_revision, migrate
from hub.db.models import Base

from .harness import Hub


def test_migrations_make_the_models_schema_and_run_once(hub: Hub) -> None:
    db: Database = hub.db
    assert current_revision(db) == head_revision()
    assert migrate(db) == []  # nothing left to apply
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], diff

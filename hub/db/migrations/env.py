"""Alembic environment of the hub: the engine comes from hub.db.migrate (never a URL in a file)."""
from __future__ import annotations

from alembic import context

from hub.db.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only hub.db.migrate runs the revisions
    raise SystemExit("run the hub's migrations with `kiosk hub migrate`")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

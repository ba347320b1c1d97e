from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers import write_source
from . import postgres
from .harness import Hub, start_hub, stop_hub


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[postgres.Cluster]:
    why = postgres.missing()
    if why:
        pytest.skip(why)
    with postgres.cluster() as c:
        yield c


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None (SQLite in the hub's data folder) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    cluster: postgres.Cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture
def hub(tmp_path: Path, database_url: str | None) -> Iterator[Hub]:
    h = start_hub(tmp_path, database_url, write_source(tmp_path / "src"))
    yield h
    stop_hub(h)

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from content_cache import ContentCache
from kiosk.publisher import publish
from kiosk.refserver import ContentTreeServer

from .helpers import write_source


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_source(tmp_path / "src")


@pytest.fixture
def published(tmp_path: Path, source: Path) -> Path:
    dest = tmp_path / "tree"
    publish(source, dest)
    return dest


@pytest.fixture
def server(published: Path) -> Iterator[ContentTreeServer]:
    srv = ContentTreeServer(published, "127.0.0.1", 0).start_background()
    yield srv
    srv.stop()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[ContentCache]:
    with ContentCache(tmp_path / "device" / "cache") as c:
        yield c

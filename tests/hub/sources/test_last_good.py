"""A preview asks no source: `kiosk preview` reads the content folder with each source's last
good result (SourcesRun.use_last_good), makes no request and writes nothing to the
sources' state, which stays the publisher's."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hub.publisher import publish
from hub.sources import SourcesRun
from kiosk.cli.preview_content import load_folder

from .server import SourceServer
from .town import NOW, write_town


@pytest.fixture
def server() -> Iterator[SourceServer]:
    srv = SourceServer()
    yield srv
    srv.stop()


def _state_files(state: Path) -> dict[str, int]:
    return {str(p.relative_to(state)): p.stat().st_mtime_ns for p in state.rglob("*") if p.is_file()}


def test_the_preview_shows_the_sources_last_good_results_without_asking_them(
        tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("rss",))
    state = tmp_path / "state"
    publish(src, tmp_path / "tree", NOW, sources=SourcesRun(src, state, now=NOW))
    assert server.take_hits()  # the publication asked the feed
    before = _state_files(state)

    content = load_folder(src, NOW + timedelta(days=1), tmp_path / "work", state).content
    news = [d["title"] for d in content.kiosk_sections["news"]]
    assert len(news) == 3 and all(news)  # the feed's three items, as published
    assert server.take_hits() == []  # and no request for them
    assert _state_files(state) == before  # nothing written to the publisher's state

    content = load_folder(src, NOW + timedelta(days=1), tmp_path / "work2", tmp_path / "no-state").content
    assert "news" not in content.kiosk_sections  # no last good result: nothing from that source
    assert server.take_hits() == []

"""One contract, run against every kind of source: what any source must do."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.publisher import publish
from hub.sources import SourcesRun

from .server import SourceServer
from .town import KINDS, NOW, OPENAGENDA_KEY, PATHS, write_town

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SourceServer]:
    monkeypatch.setenv("KIOSK_TEST_OPENAGENDA_KEY", OPENAGENDA_KEY)
    srv = SourceServer()
    yield srv
    srv.stop()


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _run(src: Path, state: Path) -> SourcesRun:
    run = SourcesRun(src, state, now=NOW)
    run.fetch()
    return run


def _ids(run: SourcesRun) -> list[str]:
    r = run.outcomes[0].result
    assert r is not None
    return [d["id"] for docs in r.documents.values() for d in docs] + [b["id"] for b in r.bulletins]


def test_a_source_gives_documents_with_valid_stable_ids_and_publishes(kind: str, server: SourceServer,
                                                                      tmp_path: Path) -> None:
    src = write_town(tmp_path, server, (kind,))
    run = _run(src, tmp_path / "state")
    [o] = run.outcomes
    assert o.ok, o.message
    assert o.result is not None and o.result.count() > 0
    ids = _ids(run)
    assert ids and all(ID.match(i) for i in ids)
    for docs in (*o.result.documents.values(), o.result.bulletins):  # unique in each collection
        assert len({d["id"] for d in docs}) == len(docs)
    # The same answer gives the same ids (and result) on the next run: nothing new to publish.
    again = _run(src, tmp_path / "state-2")
    assert _ids(again) == ids and again.outcomes[0].result == o.result
    # What it gives is a valid part of a manifest (the publisher validates the whole).
    r = publish(src, tmp_path / "tree", NOW, sources=SourcesRun(src, tmp_path / "state", now=NOW))
    manifest = json.loads(r.manifest_path.read_bytes())
    published = {d["id"] for docs in manifest.get("kiosk", {}).values() for d in docs} | {
        b["id"] for b in manifest["bulletins"]}
    assert set(ids) <= published


def test_an_unchanged_source_is_asked_conditionally_and_publishes_the_same_version(kind: str, server: SourceServer,
                                                                                   tmp_path: Path) -> None:
    src = write_town(tmp_path, server, (kind,))
    state, tree = tmp_path / "state", tmp_path / "tree"
    first = publish(src, tree, NOW, sources=SourcesRun(src, state, now=NOW))
    server.take_hits()
    run = SourcesRun(src, state, now=NOW)
    second = publish(src, tree, NOW, sources=run)
    hits = server.take_hits()
    assert second.version == first.version and not second.changed
    assert hits and all(h.conditional and h.status == 304 for h in hits), hits
    assert not run.outcomes[0].changed


def test_a_failing_source_keeps_its_last_good_result_with_one_line_naming_it(kind: str, server: SourceServer,
                                                                             tmp_path: Path) -> None:
    src = write_town(tmp_path, server, (kind,))
    state, tree = tmp_path / "state", tmp_path / "tree"
    good = publish(src, tree, NOW, sources=SourcesRun(src, state, now=NOW))
    path = PATHS[kind][0] if kind in PATHS else "/v2/agendas/12345678/events"
    server.fault(path, "503")
    run = SourcesRun(src, state, now=NOW)
    again = publish(src, tree, NOW, sources=run)
    assert again.version == good.version  # the last good result is what is published
    [line] = [w for w in again.warnings if w.startswith(f'source "{kind}"')]
    assert f"({kind}): HTTP 503" in line and "its last good result (from 2026-11-26 07:00) is published" in line
    assert [o.spec.id for o in run.stale] == [kind]


def test_a_wrong_content_type_is_refused_and_named(kind: str, server: SourceServer, tmp_path: Path) -> None:
    src = write_town(tmp_path, server, (kind,))
    path = PATHS[kind][0] if kind in PATHS else "/v2/agendas/12345678/events"
    server.fault(path, "html")
    run = _run(src, tmp_path / "state")
    [o] = run.outcomes
    assert not o.ok and o.result is None
    assert o.message.startswith("answered text/html, expected ")
    assert run.problems == [f'source "{kind}" ({kind}): {o.message}; nothing from it is published yet']

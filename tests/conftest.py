from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from content_cache import ContentCache
from hub.publisher import publish
from hub.refserver import ContentTreeServer

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


# ------------------------------------------------------ parallel runs (xdist) ---
# ./run-tests runs the suite with pytest-xdist, `-n auto --dist loadscope`: a module's
# tests run on one worker, so a module-scoped fixture (one harness run shared by the
# checks on its result) is set up once. Most of the suite's time is spent waiting on real
# clocks (players showing slides for seconds, a cron minute, a drip-fed download), not
# computing, so "auto" is one worker more than the CPUs available (with twice as many, the
# players of timing-sensitive tests were short of CPU on a loaded 2-core machine);
# PYTEST_XDIST_AUTO_NUM_WORKERS (as in pytest-xdist) sets another number, and `-n 0` runs
# the tests one after the other.

# The modules that take longest are handed out first, so that none of them starts last
# while the other workers sit idle (the many quick tests fill in at the end). With
# --no-loadscope-reorder, xdist keeps this order.
_SLOW_FIRST = ("tests/e2e/", "tests/touch/", "tests/device/test_ansible.py", "tests/hub/test_fleet_browser.py",
               "tests/content_cache/test_open_race.py", "tests/player/test_engine_properties.py")


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: no error where it is not installed
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    wanted = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    if wanted.strip():
        return int(wanted)
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(2, cpus + 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker; the sort is stable: same order in all
        items.sort(key=lambda it: not it.nodeid.startswith(_SLOW_FIRST))

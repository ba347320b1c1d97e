from __future__ import annotations

import logging

from player.quarantine import Quarantine


def test_a_failed_item_sits_out_then_comes_back_and_is_logged_once_per_version(caplog) -> None:
    caplog.set_level(logging.WARNING)
    q = Quarantine(seconds=60)
    q.add("clip", "v1", "truncated MP4", now=100.0)
    q.add("clip", "v1", "truncated MP4", now=170.0)
    assert q.blocks("clip", 200.0) and not q.blocks("poster", 200.0)
    assert not q.blocks("clip", 230.0)
    q.add("clip", "v2", "truncated MP4", now=300.0)
    assert [r.getMessage() for r in caplog.records] == [
        "item clip cannot be shown (truncated MP4); skipped for 1 min",
        "item clip cannot be shown (truncated MP4); skipped for 1 min",
    ]
    q.clear()
    assert not q.blocks("clip", 301.0) and len(q) == 0

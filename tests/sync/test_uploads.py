from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from content_cache import ContentCache, Outbox
from hub.refserver import ContentTreeServer
from sync import ContentApiClient, SyncSettings
from sync.uploads import OutboxUploader

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _fill(outbox: Outbox, n: int) -> None:
    for i in range(n):
        outbox.put("play", {"item": f"i{i}", "duration_s": 8}, NOW + timedelta(seconds=i), key=f"k{i:05d}")


def test_outbox_is_bounded_and_counts_what_it_dropped(cache: ContentCache) -> None:
    outbox = Outbox(cache, max_rows=50)
    _fill(outbox, 80)
    assert outbox.size() == 50 and outbox.dropped() == 30
    assert [r.idempotency_key for r in outbox.batch(3)] == ["k00030", "k00031", "k00032"]


def test_batches_are_uploaded_once_even_when_sent_twice(cache: ContentCache, published: Path) -> None:
    server = ContentTreeServer(published, accept_events=True).start_background()
    try:
        outbox = Outbox(cache)
        _fill(outbox, 450)
        client = ContentApiClient(SyncSettings(api_url=server.url, device_id="totem-3"))
        result = OutboxUploader(client, outbox, batch_size=200).upload()
        assert (result.sent, result.remaining, result.state) == (450, 0, "sent")
        posts = [r for r in server.take_records() if r.method == "POST"]
        assert [r.status for r in posts] == [200, 200, 200]
        # the same records again (an answer lost on the way): the server keeps one copy
        _fill(outbox, 10)
        OutboxUploader(client, outbox).upload()
    finally:
        server.stop()
    lines = (published / "events" / "totem-3.jsonl").read_text().splitlines()
    assert len(lines) == 450
    assert json.loads(lines[0]) == {"key": "k00000", "kind": "play", "created_at": NOW.isoformat(),
                                    "payload": {"item": "i0", "duration_s": 8}}


def test_a_static_host_without_the_endpoint_is_not_an_error_storm(cache: ContentCache, published: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="sync.uploads")
    server = ContentTreeServer(published, accept_events=False).start_background()
    try:
        outbox = Outbox(cache)
        _fill(outbox, 5)
        client = ContentApiClient(SyncSettings(api_url=server.url, device_id="totem-3"))
        uploader = OutboxUploader(client, outbox, absent_retry_s=3600)
        first = uploader.upload()
        for _ in range(20):
            again = uploader.upload()
        records = server.take_records()
    finally:
        server.stop()
    assert first.state == "absent" and "HTTP 405" in first.message and first.remaining == 5
    assert again.state == "waiting"
    assert len(records) == 1  # asked once, then waits an hour
    assert len(caplog.records) == 1 and caplog.records[0].levelno == logging.INFO
    assert outbox.size() == 5

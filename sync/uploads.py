"""Upload of the outbox (proof of play, heartbeats) to the content API.

``POST <base>/v1/devices/<id>/events`` with a JSON batch; each record carries its
idempotency key, and the batch an ``Idempotency-Key`` header, so a batch sent twice is
recorded once. A static host has no such endpoint: 404/405/501 mean "not here", the
records stay in the outbox (bounded) and the uploader asks again much later, quietly.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from content_cache import Outbox

from .client import ContentApiClient

log = logging.getLogger(__name__)

ABSENT_STATUS = {404, 405, 501}


@dataclass(frozen=True)
class UploadResult:
    sent: int
    remaining: int
    state: str  # "sent" | "empty" | "absent" | "failed" | "waiting"
    message: str = ""
    # The JSON object the server answered the last batch with (a hub adds its requests).
    answer: Mapping[str, Any] = field(default_factory=dict)


class OutboxUploader:
    def __init__(
        self,
        client: ContentApiClient,
        outbox: Outbox,
        batch_size: int = 200,
        absent_retry_s: float = 3600.0,
        failure_retry_s: float = 60.0,
    ) -> None:
        self.client = client
        self.outbox = outbox
        self.batch_size = batch_size
        self.absent_retry_s = absent_retry_s
        self.failure_retry_s = failure_retry_s
        self._not_before = 0.0
        self._state = "unknown"

    @property
    def url(self) -> str | None:
        device = self.client.settings.device_id
        return f"{self.client.base_url}/v1/devices/{device}/events" if device else None

    def upload(self, max_batches: int = 20) -> UploadResult:
        """Send queued records in batches until the outbox is empty or the server says no."""
        if time.monotonic() < self._not_before:
            return UploadResult(0, self.outbox.size(), "waiting")
        url = self.url
        if url is None:
            return self._transition("absent", 0, "no device id configured: records stay in the outbox")
        sent = 0
        answer: Mapping[str, Any] = {}
        for _ in range(max_batches):
            batch = self.outbox.batch(self.batch_size)
            if not batch:
                return self._transition("sent" if sent else "empty", sent, "", answer)
            keys = [r.idempotency_key for r in batch]
            body = {
                "events": [
                    {"key": r.idempotency_key, "kind": r.kind,
                     "created_at": r.created_at.isoformat(), "payload": dict(r.payload)}
                    for r in batch
                ]
            }
            headers = {"Idempotency-Key": hashlib.sha256("\n".join(keys).encode()).hexdigest()}
            try:
                resp = self.client.post_json(url, body, headers)
            except requests.RequestException as e:
                self._not_before = time.monotonic() + self.failure_retry_s
                return self._transition("failed", sent, f"{url}: {type(e).__name__}")
            if resp.status_code in ABSENT_STATUS:
                self._not_before = time.monotonic() + self.absent_retry_s
                return self._transition(
                    "absent", sent,
                    f"{url}: HTTP {resp.status_code}; the content API takes no uploads, "
                    f"records stay in the outbox",
                )
            if not 200 <= resp.status_code < 300:
                self._not_before = time.monotonic() + self.failure_retry_s
                return self._transition("failed", sent, f"{url}: HTTP {resp.status_code}")
            self.outbox.remove([r.id for r in batch])
            sent += len(batch)
            answer = _json_object(resp)
        return self._transition("sent", sent, "", answer)

    def _transition(self, state: str, sent: int, message: str,
                    answer: Mapping[str, Any] | None = None) -> UploadResult:
        remaining = self.outbox.size()
        if state != self._state and state not in ("empty",):
            # Log changes of state only: a static host must not flood the journal.
            level = logging.WARNING if state == "failed" else logging.INFO
            log.log(level, "outbox upload %s%s (%d waiting)", state, f": {message}" if message else "", remaining)
        self._state = state
        return UploadResult(sent, remaining, state, message, answer or {})


def _json_object(resp: requests.Response) -> Mapping[str, Any]:
    """The answer's JSON object, or nothing (a plain server may answer anything)."""
    if "json" not in resp.headers.get("Content-Type", ""):
        return {}
    try:
        doc = resp.json()
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}

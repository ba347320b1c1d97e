"""The hub's content API for devices, on SQLite and on PostgreSQL: one token per device,
the published tree served like the reference server, reports taken once, bodies bounded."""
from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta

import requests
from PIL import Image
from sqlalchemy import select

from hub.db.models import Counter, Device, DeviceLog, Play, Screenshot
from hub.fleet.devices import make_enrol_code, revoke_tokens

from .harness import Hub


def _jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (320, 180)) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="JPEG", quality=70)
    return base64.b64encode(buf.getvalue()).decode()


def _event(key: str, kind: str, payload: dict, at: datetime | None = None) -> dict:
    return {"key": key, "kind": kind, "created_at": (at or datetime.now(UTC)).isoformat(), "payload": payload}


def test_unknown_revoked_and_missing_tokens_get_401_and_nothing_else(hub: Hub) -> None:
    token = hub.enrol("totem-1")
    paths = ["/v1/manifest.json", "/v1/devices/totem-1/manifest.json",
             f"/v1/media/{json.loads((hub.settings.published_dir / 'v1/manifest.json').read_text())['media'][0]['sha256']}"]
    for path in paths:
        ok = requests.get(hub.url + path, headers=hub.auth("totem-1"), timeout=10)
        assert ok.status_code in (200, 404), path  # the per-device manifest does not exist here
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": f"Basic {token}"}):
        for path in paths:
            r = requests.get(hub.url + path, headers=headers, timeout=10)
            assert r.status_code == 401 and r.content == b"", (path, headers)
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
        r = requests.post(f"{hub.url}/v1/devices/totem-1/events", json={"events": []}, headers=headers, timeout=10)
        assert r.status_code == 401 and r.content == b""
    with hub.db.transaction() as s:
        assert revoke_tokens(s, "totem-1", hub.clock(), "test") == 1
    for path in paths:
        r = requests.get(hub.url + path, headers=hub.auth("totem-1"), timeout=10)
        assert r.status_code == 401 and r.content == b""
    with hub.db.session() as s:
        assert s.get(Counter, "refused_token").value == 3 * 4 + 3


def test_a_device_may_not_read_or_write_another_devices_resources(hub: Hub) -> None:
    hub.enrol("totem-1")
    hub.enrol("totem-2")
    r = requests.post(f"{hub.url}/v1/devices/totem-2/events", headers=hub.auth("totem-1"), timeout=10,
                      json={"events": [_event("k1", "play", {"item": "x", "start": datetime.now(UTC).isoformat(),
                                                             "duration_s": 5})]})
    assert r.status_code == 403 and r.content == b""
    r = requests.get(f"{hub.url}/v1/devices/totem-2/manifest.json", headers=hub.auth("totem-1"), timeout=10)
    assert r.status_code == 403
    with hub.db.session() as s:
        assert s.scalars(select(Play)).all() == []
        assert s.get(Counter, "refused_other_device").value == 2


def test_manifest_etag_304_and_media_ranges_as_the_reference_server(hub: Hub) -> None:
    hub.enrol("totem-1")
    h = hub.auth("totem-1")
    r = requests.get(f"{hub.url}/v1/manifest.json", headers=h, timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"
    etag = r.headers["ETag"]
    assert requests.get(f"{hub.url}/v1/manifest.json", headers={**h, "If-None-Match": etag}, timeout=10).status_code == 304
    sha = r.json()["media"][0]["sha256"]
    whole = (hub.settings.published_dir / "v1" / "media" / sha).read_bytes()
    part = requests.get(f"{hub.url}/v1/media/{sha}", headers={**h, "Range": "bytes=10-99"}, timeout=10)
    assert part.status_code == 206 and part.content == whole[10:100]
    assert part.headers["Content-Range"] == f"bytes 10-99/{len(whole)}"
    wrong = requests.get(f"{hub.url}/v1/media/{sha}", headers={**h, "Range": "bytes=10-", "If-Range": '"other"'},
                         timeout=10)
    assert wrong.status_code == 200 and wrong.content == whole
    assert requests.get(f"{hub.url}/v1/media/{sha}", headers={**h, "Range": f"bytes={len(whole)}-"},
                        timeout=10).status_code == 416
    assert requests.get(f"{hub.url}/v1/media/{'0' * 64}", headers=h, timeout=10).status_code == 404
    assert requests.get(f"{hub.url}/v1/media/..%2F..%2Fhub.sqlite", headers=h, timeout=10).status_code == 404
    assert requests.head(f"{hub.url}/v1/media/{sha}", headers=h, timeout=10).headers["Content-Length"] == str(len(whole))


def test_reports_are_taken_once_and_the_state_shows_the_newest_heartbeat(hub: Hub) -> None:
    hub.enrol("totem-1")
    now = datetime.now(UTC)
    start = (now - timedelta(minutes=1)).isoformat()
    batch = {"events": [
        _event("hb-2", "heartbeat", {"live_version": "v2", "poll_interval_s": 30, "disk_free_bytes": 2_000_000_000,
                                     "disk_total_bytes": 8_000_000_000, "errors": ["sync unreachable: HTTP 503"],
                                     "player": {"showing": "img-0", "showing_kind": "image", "why": "playlist lobby",
                                                "screen_power": "on", "alerts": ["storm"]}}, now),
        _event("hb-1", "heartbeat", {"live_version": "v1"}, now - timedelta(minutes=5)),  # late, older
        _event("p-1", "play", {"item": "img-0", "kind": "image", "start": start, "duration_s": 5.0}),
        _event("p-2", "play", {"item": "img-1", "kind": "image", "start": start, "duration_s": 5.0}),
        _event("bad", "play", {"item": 12, "start": start}),
        _event("new", "something-newer", {}),
    ]}
    url = f"{hub.url}/v1/devices/totem-1/events"
    first = requests.post(url, json=batch, headers=hub.auth("totem-1"), timeout=10).json()
    assert (first["accepted"], first["duplicates"], first["refused"], first["ignored"]) == (4, 0, 1, 1)
    assert "payload.item" in first["problems"][0]
    again = requests.post(url, json=batch, headers=hub.auth("totem-1"), timeout=10).json()
    assert again["duplicates"] == 2 and again["accepted"] == 2  # heartbeats are state, plays are counted once
    with hub.db.session() as s:
        d = s.get(Device, "totem-1")
        assert (d.live_version, d.showing, d.screen_on, d.alerts, d.poll_interval_s) == ("v2", "img-0", True,
                                                                                          ["storm"], 30.0)
        assert sorted(s.scalars(select(Play.item))) == ["img-0", "img-1"]
        assert [t for t in s.scalars(select(DeviceLog.text).where(DeviceLog.kind == "error"))] == [
            "sync unreachable: HTTP 503"]


def test_a_heartbeat_with_plays_is_one_transaction_of_six_statements_with_its_contact(hub: Hub) -> None:
    """What a device's report costs the database: the token, the device, the known play
    keys, the device's update (its contact with it), one insert for the plays, one commit
    (before: a commit of its own for the contact, the device read three times, an INSERT
    per play)."""
    from sqlalchemy import event

    hub.enrol("totem-1")
    url = f"{hub.url}/v1/devices/totem-1/events"
    # the first report of the process also prunes old plays (hourly): not measured
    assert requests.post(url, json={"events": []}, headers=hub.auth("totem-1"), timeout=10).status_code == 200
    engine = hub.server.app.extensions["town_kiosk_hub"].database.engine
    statements: list[str] = []
    commits: list[int] = []

    def note(_conn: object, _cursor: object, statement: str, *_a: object) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    hub.clock.offset += timedelta(seconds=5)  # past the contact's resolution: it is written
    now = datetime.now(UTC)
    start = (now - timedelta(minutes=1)).isoformat()
    batch = {"events": [_event("hb", "heartbeat", {"live_version": "v2", "player": {"showing": "img-0"}}, now)] + [
        _event(f"p-{i}", "play", {"item": f"img-{i}", "kind": "image", "start": start, "duration_s": 5.0})
        for i in range(5)]}
    try:
        r = requests.post(url, json=batch, headers=hub.auth("totem-1"), timeout=10)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert r.status_code == 200 and r.json()["accepted"] == 6
    assert sorted(x for x in statements if x != "SELECT") == ["INSERT", "UPDATE", "UPDATE"], statements
    assert statements.count("SELECT") == 3 and len(commits) == 1, (statements, commits)
    with hub.db.session() as s:
        d = s.get(Device, "totem-1")
        assert d.showing == "img-0" and abs(d.last_seen_at - hub.clock()) < timedelta(seconds=5)
        assert sorted(s.scalars(select(Play.item))) == [f"img-{i}" for i in range(5)]


def test_screenshots_are_decoded_kept_in_the_database_and_clear_the_request(hub: Hub) -> None:
    hub.enrol("totem-1")
    with hub.db.transaction() as s:
        s.get(Device, "totem-1").screenshot_requested_at = datetime.now(UTC) - timedelta(seconds=1)
    url = f"{hub.url}/v1/devices/totem-1/events"
    answer = requests.post(url, json={"events": []}, headers=hub.auth("totem-1"), timeout=10).json()
    assert answer["requests"] == {"screenshot": True}
    html_as_jpeg = base64.b64encode(b"<html><script>alert(1)</script></html>").decode()
    r = requests.post(url, headers=hub.auth("totem-1"), timeout=10, json={"events": [
        _event("s-bad", "screenshot", {"jpeg": html_as_jpeg, "reason": "asked"}),
        _event("s-png", "screenshot", {"jpeg": base64.b64encode(_png()).decode(), "reason": "asked"}),
        _event("s-1", "screenshot", {"jpeg": _jpeg((200, 40, 40)), "reason": "asked",
                                     "taken_at": datetime.now(UTC).isoformat()}),
    ]}).json()
    assert (r["accepted"], r["refused"]) == (1, 2) and r["requests"] == {"screenshot": False}
    with hub.db.session() as s:
        shot = s.scalars(select(Screenshot)).one()
        assert (shot.width, shot.height, shot.reason) == (320, 180, "asked") and shot.jpeg[:2] == b"\xff\xd8"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="PNG")
    return buf.getvalue()


def test_bodies_over_the_limit_are_refused_unread(hub: Hub) -> None:
    hub.enrol("totem-1")
    big = b'{"events": [' + b" " * (hub.settings.max_upload_bytes + 10) + b"]}"
    r = requests.post(f"{hub.url}/v1/devices/totem-1/events", data=big, timeout=30,
                      headers={**hub.auth("totem-1"), "Content-Type": "application/json"})
    assert r.status_code == 413
    r = requests.post(f"{hub.url}/v1/devices/totem-1/events", data=b"not json", timeout=10,
                      headers={**hub.auth("totem-1"), "Content-Type": "application/json"})
    assert r.status_code == 400
    r = requests.post(f"{hub.url}/v1/enrol", data=b"x" * 10_000, timeout=10, headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_enrolment_codes_serve_once_for_their_device_and_expire(hub: Hub) -> None:
    t = hub.clock()
    with hub.db.transaction() as s:
        bound = make_enrol_code(s, "test", t, device_id="totem-1", place="Mairie")
        free = make_enrol_code(s, "test", t)
        old = make_enrol_code(s, "test", t - timedelta(days=2), valid=timedelta(hours=1))
    enrol = f"{hub.url}/v1/enrol"
    assert requests.post(enrol, json={"code": bound, "device_id": "totem-9"}, timeout=10).status_code == 409
    first = requests.post(enrol, json={"code": bound.lower().replace("-", " ")}, timeout=10)
    assert first.status_code == 200 and first.json()["device_id"] == "totem-1"
    token = first.json()["token"]
    again = requests.post(enrol, json={"code": bound}, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert again.status_code == 200 and again.json() == {"device_id": "totem-1", "token": None, "already": True}
    assert requests.post(enrol, json={"code": bound}, timeout=10).status_code == 409
    assert requests.post(enrol, json={"code": free}, timeout=10).status_code == 400  # no device id
    assert requests.post(enrol, json={"code": free, "device_id": "../etc"}, timeout=10).status_code == 400
    assert requests.post(enrol, json={"code": free, "device_id": "totem-1"}, timeout=10).status_code == 409
    assert requests.post(enrol, json={"code": old, "device_id": "totem-3"}, timeout=10).status_code == 403
    assert requests.post(enrol, json={"code": "AAAA-BBBB-CCCC-DDDD", "device_id": "x1"}, timeout=10).status_code == 403
    with hub.db.session() as s:
        assert s.get(Device, "totem-1").place == "Mairie"
        assert s.get(Device, "totem-3") is None

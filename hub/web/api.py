"""The content API for devices (docs/content-api.md), behind one token per device.

``/v1/manifest.json``, ``/v1/devices/<id>/manifest.json`` and ``/v1/media/<sha256>`` are
the published tree, answered exactly as the reference server answers (ETag → 304, Range →
206: hub.tree_http); the device endpoints take its reports and its registration. Every
request needs a device's bearer token: an unknown or revoked one gets 401 and nothing
else; a device may only read its own manifest and write its own reports (403). Request
bodies are bounded (413). ``POST /v1/enrol`` trades a one-time code for a token.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from hub.fleet import devices as fleet_devices
from hub.fleet.accounts import LoginLimits, limited_until, record_attempt
from hub.fleet.reports import Retention, count, ingest, prune
from hub.tree_http import body as answer_body
from hub.tree_http import locate, plan

from .guards import device, public
from .state import db, hub, now, settings

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)
MAX_ENROL_BODY = 4096
PRUNE_EVERY_S = 3600.0


def _commit() -> None:
    """Commit the request's writes, with the device's contact when it is to be written
    with them (a report: one transaction, not one for the contact and one for the report)."""
    s = db()
    contact = g.pop("contact", None)
    if contact is not None:
        fleet_devices.seen(s, *contact)
    s.commit()


def _refuse(status: int, reason: str) -> Response:
    """An empty refusal, counted for the metrics (uploads_refused_<reason>)."""
    s = db()
    count(s, f"refused_{reason}")
    _commit()
    headers = {"WWW-Authenticate": 'Bearer realm="content"'} if status == 401 else {}
    return Response(status=status, headers=headers)


def _json(doc: dict[str, Any], status: int) -> Response:
    resp = jsonify(doc)
    resp.status_code = status
    return resp


def _bearer() -> str | None:
    value = request.headers.get("Authorization", "")
    if value[:7].lower() != "bearer ":
        return None
    return value[7:].strip() or None


@bp.before_request
def authenticate() -> Response | None:
    view = request.endpoint
    if view == "api.enrol" or view is None:
        return None
    if request.content_length is not None and request.content_length > settings().max_upload_bytes:
        return _refuse(413, "too_large")
    s = db()
    owner = fleet_devices.token_owner(s, _bearer())
    if owner is None:
        return _refuse(401, "token")
    asked = (request.view_args or {}).get("device_id")
    if asked is not None and asked != owner.device_id:
        log.warning("device %s asked for %s's %s: refused", owner.device_id, asked, request.path)
        return _refuse(403, "other_device")
    addr = request.remote_addr or "?"
    # Reads note the contact for the next flush (hub.web.state); writes write it with their
    # report, in its transaction (_commit); a device back from offline is written at once.
    if request.method in ("GET", "HEAD"):
        if not hub().contacts.note(owner, now(), addr) and fleet_devices.seen(s, owner, now(), addr):
            s.commit()
    else:
        g.contact = (owner, now(), addr)
    g.device_id = owner.device_id
    return None


def _tree(path: str) -> Response:
    file = locate(settings().published_dir, path, hub().etags)
    if file is None:
        return Response(status=404)
    answer = plan(file, request.headers.get)
    headers = list(answer.headers)
    if request.method == "HEAD":
        return Response(status=answer.status, headers=headers)
    # Content-Length is the range's; werkzeug must not recompute it from the iterator.
    return Response(answer_body(answer), status=answer.status, headers=headers, direct_passthrough=True)


@bp.route("/v1/manifest.json", methods=["GET", "HEAD"])
@device
def manifest() -> Response:
    return _tree("/v1/manifest.json")


@bp.route("/v1/devices/<device_id>/manifest.json", methods=["GET", "HEAD"])
@device
def device_manifest(device_id: str) -> Response:
    """The device's own manifest file if the tree has one; else the shared manifest less the
    alerts meant for other screens (hub.alert_screens), or the shared one as it is."""
    own = f"/v1/devices/{device_id}/manifest.json"
    if locate(settings().published_dir, own, hub().etags) is not None:
        return _tree(own)
    shared = locate(settings().published_dir, "/v1/manifest.json", hub().etags)
    if shared is None:
        return Response(status=404)
    state = hub()
    targets = state.targets.get()
    key = (shared.etag, targets.digest, device_id)
    if key not in state.device_manifests:
        from hub.alert_screens import for_device

        body = for_device(shared.path.read_bytes(), targets, device_id) if targets.alerts else None
        if len(state.device_manifests) > 4096:
            state.device_manifests.clear()
        state.device_manifests[key] = None if body is None else (body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
    variant = state.device_manifests[key]
    if variant is None:
        return _tree("/v1/manifest.json")
    body, etag = variant
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Content-Type": "application/json"}
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    return Response(b"" if request.method == "HEAD" else body, status=200, headers=headers)


@bp.route("/v1/media/<sha256>", methods=["GET", "HEAD"])
@device
def media(sha256: str) -> Response:
    return _tree(f"/v1/media/{sha256}")


def _json_body() -> Any:
    try:
        return request.get_json(force=True, silent=False)
    except RequestEntityTooLarge:
        raise
    except Exception:
        return None


@bp.route("/v1/devices/<device_id>/events", methods=["POST"])
@device
def events(device_id: str) -> Response:
    doc = _json_body()
    events = doc.get("events") if isinstance(doc, dict) else None
    if not isinstance(events, list):
        return _refuse(400, "invalid")
    cfg = settings()
    retention = Retention(cfg.screenshots_kept, cfg.plays_kept_days)
    s = db()
    t = now()
    from hub.db.models import Device

    # Held here for the whole request: the session keeps a clean object only weakly, and
    # the heartbeat's update and the answer below would each load it again.
    d = s.get(Device, device_id)
    result = ingest(s, device_id, events, t, retention)
    state = hub()
    if state.pruned_at is None or (t - state.pruned_at).total_seconds() > PRUNE_EVERY_S:
        state.pruned_at = t
        prune(s, t, retention)
    wants_screenshot = bool(d and d.screenshot_requested_at is not None)
    _commit()
    return jsonify({
        "accepted": result.accepted, "duplicates": result.duplicates, "refused": result.refused,
        "ignored": result.ignored, "problems": result.problems[:10],
        "requests": {"screenshot": wants_screenshot},
    })


@bp.route("/v1/devices/<device_id>/register", methods=["POST"])
@device
def register(device_id: str) -> Response:
    from hub.db.models import Device

    doc = _json_body()
    s = db()
    d = s.get(Device, device_id)
    if d is not None and isinstance(doc, dict):
        if isinstance(doc.get("hostname"), str):
            d.hostname = doc["hostname"][:255]
        if isinstance(doc.get("software_version"), str):
            d.software = doc["software_version"][:64]
    _commit()
    return jsonify({"device_id": device_id, "registered": True})


@bp.route("/v1/enrol", methods=["POST"])
@public
def enrol() -> Response:
    """``{"code", "device_id"?, "hostname"?}`` → ``{"device_id", "token"}`` (token once)."""
    if request.content_length is None or request.content_length > MAX_ENROL_BODY:
        return _refuse(413, "too_large")
    doc = _json_body()
    if not isinstance(doc, dict) or not isinstance(doc.get("code"), str):
        return _json({"error": "expected {\"code\": …, \"device_id\": …}"}, 400)
    s = db()
    t = now()
    addr = request.remote_addr or "?"
    cfg = settings()
    # Enrolment failures count per address only (every device shares the "enrol:" key).
    limits = LoginLimits(cfg.login_per_address, cfg.login_per_address, cfg.login_window)
    if limited_until(s, "enrol:", addr, t, limits) is not None:
        return _json({"error": "too many attempts from this address; wait a few minutes"}, 429)
    asked = doc.get("device_id") if isinstance(doc.get("device_id"), str) else None
    hostname = doc.get("hostname") if isinstance(doc.get("hostname"), str) else None
    try:
        result = fleet_devices.enrol(s, doc["code"], asked, t, hostname=hostname, current_token=_bearer())
    except fleet_devices.EnrolError as e:
        s.rollback()
        record_attempt(s, "enrol:", addr, False, t)
        s.commit()
        return _json({"error": str(e)}, e.status)
    record_attempt(s, "enrol:", addr, True, t)
    s.commit()
    return jsonify({"device_id": result.device_id, "token": result.token, "already": result.already})



"""``kiosk provision --enrol CODE``: trade a technician's one-time code for this device's token.

``POST <api>/v1/enrol`` with ``{"code", "device_id", "hostname"}`` (and the current token,
if any, so running provision again with the same code is a no-op); the hub answers
``{"device_id", "token"}`` once. The token is handed to provision, which writes it in its
0600 file; it is never printed or logged.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT_S = (5.0, 20.0)


class EnrolFailed(Exception):
    """One line for the technician (the hub's reason when it gave one)."""


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    token: str | None = field(repr=False)  # None: this device used this code already
    already: bool = False


def enrol(api_url: str, code: str, device_id: str | None, *, ca_bundle: Path | None = None,
          current_token: str | None = None) -> Enrolled:
    import requests

    url = f"{api_url.rstrip('/')}/v1/enrol"
    headers = {"Authorization": f"Bearer {current_token}"} if current_token else {}
    body = {"code": code.strip(), "device_id": device_id, "hostname": socket.gethostname()}
    try:
        resp = requests.post(url, json=body, headers=headers, timeout=TIMEOUT_S,
                             verify=str(ca_bundle) if ca_bundle else True)
    except requests.RequestException as e:
        raise EnrolFailed(f"{url}: cannot reach the hub ({type(e).__name__})") from None
    try:
        doc = resp.json()
    except ValueError:
        doc = {}
    if not isinstance(doc, dict):
        doc = {}
    if resp.status_code in (404, 405, 501):
        raise EnrolFailed(f"{url}: HTTP {resp.status_code}: this server does not enrol devices (is it a hub?)")
    if resp.status_code != 200:
        reason = doc.get("error") if isinstance(doc.get("error"), str) else f"HTTP {resp.status_code}"
        raise EnrolFailed(f"{url}: {reason}")
    token, got_id = doc.get("token"), doc.get("device_id")
    if not isinstance(got_id, str) or (token is not None and not isinstance(token, str)):
        raise EnrolFailed(f"{url}: the answer has no device id and token")
    return Enrolled(got_id, token, bool(doc.get("already")))

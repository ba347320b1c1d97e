"""Who reaches what: every route walked without a session and with each role, the docs'
route × role table kept in step with the code, sign-in limits, cookies, CSRF, escaping."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from hub.db.models import Device
from hub.fleet.roles import Role, effective
from hub.web.guards import role_table_markdown, route_table

from .harness import Hub, csrf

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hub.md"


def _concrete(rule: str, device: str, user_id: int, shot_id: int) -> str:
    return (rule.replace("<device_id>", device).replace("<int:user_id>", str(user_id))
            .replace("<int:shot_id>", str(shot_id)).replace("<sha256>", "0" * 64)
            .replace("<path:filename>", "hub.css").replace("<int:change_id>", "1").replace("<kind_name>", "poster")
            .replace("<item_id>", "img-0").replace("<playlist>", "lobby").replace("<token>", "0" * 32)
            .replace("<ext>", "png"))


def _setup(hub: Hub) -> tuple[dict[str, requests.Session | None], int]:
    hub.enrol("totem-1", "Mairie")
    sessions: dict[str, requests.Session | None] = {"anonymous": None}
    for role in Role:
        hub.add_user(f"user-{role.value}", role)
        sessions[role.value] = hub.login(f"user-{role.value}")
    from hub.db.models import User

    with hub.db.session() as s:
        uid = s.scalar(select(User.id).where(User.username == "user-viewer"))
    assert uid is not None
    return sessions, uid


def test_every_route_is_declared_and_walked_with_each_role(hub: Hub) -> None:
    app = hub.server.app
    table = route_table(app)
    undeclared = [r.rule for r in table if r.access is None]
    assert not undeclared, f"routes without an access declaration: {undeclared}"
    sessions, uid = _setup(hub)
    checked = 0
    # signing out and deleting the device come last, so they do not change what comes after
    table.sort(key=lambda r: r.rule == "/logout" or r.rule.endswith("/delete"))
    for route in table:
        if route.access is None or route.access.kind in ("device", "metrics"):
            continue
        url = hub.url + _concrete(route.rule, "totem-1", uid, 1)
        for who, session in sessions.items():
            held = effective([who]) if who != "anonymous" else frozenset()
            allowed = (route.access.kind == "public" or (route.access.kind == "signed-in" and session is not None)
                       or (route.access.kind == "role" and route.access.role in held))
            for method in route.methods:
                http = session or requests.Session()
                if method == "GET":
                    r = http.get(url, allow_redirects=False, timeout=10)
                else:  # a POST with a valid CSRF token but no form fields: the guard answers first
                    token = csrf(http, f"{hub.url}/login") if session is None else csrf(http, f"{hub.url}/account")
                    r = http.post(url, data={"csrf_token": token}, allow_redirects=False, timeout=10)
                if allowed:
                    assert r.status_code not in (401, 403) and not (
                        r.status_code == 302 and "/login" in r.headers.get("Location", "")
                        and route.rule != "/logout"), (who, method, route.rule, r.status_code)
                elif session is None:
                    assert r.status_code in (302, 401), (who, method, route.rule, r.status_code)
                    if r.status_code == 302:
                        assert "/login" in r.headers["Location"]
                else:
                    assert r.status_code == 403, (who, method, route.rule, r.status_code)
                checked += 1
    assert checked > 60
    with hub.db.session() as s:  # the admin's POST to delete did delete; nobody else's did
        assert s.scalar(select(Device.id)) is None


def test_device_and_metrics_routes_refuse_staff_sessions(hub: Hub) -> None:
    sessions, _uid = _setup(hub)
    admin = sessions["admin"]
    assert admin is not None
    assert admin.get(f"{hub.url}/v1/manifest.json", timeout=10).status_code == 401
    assert admin.get(f"{hub.url}/metrics", timeout=10).status_code == 401
    token = hub.settings.metrics_token_file.read_text().strip()
    r = requests.get(f"{hub.url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 200 and 'kiosk_hub_devices{state="never"} 1.0' in r.text
    assert requests.get(f"{hub.url}/metrics", headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401


def test_the_docs_route_table_is_the_apps() -> None:
    import tempfile

    from tests.hub.harness import start_hub, stop_hub
    with tempfile.TemporaryDirectory() as tmp:
        hub = start_hub(Path(tmp), None, None)
        try:
            table = role_table_markdown(hub.server.app)
        finally:
            stop_hub(hub)
    assert table in DOCS.read_text(encoding="utf-8"), "docs/hub.md: paste the table from role_table_markdown()"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sign_in_is_rate_limited_per_user(hub: Hub) -> None:
    hub.add_user("alice", Role.VIEWER)
    s = requests.Session()
    for _ in range(5):
        r = s.post(f"{hub.url}/login", data={"csrf_token": csrf(s, f"{hub.url}/login"), "username": "alice",
                                             "password": "wrong password!"}, timeout=10)
        assert r.status_code == 401 and 'class="flash error"' in r.text
    r = s.post(f"{hub.url}/login", data={"csrf_token": csrf(s, f"{hub.url}/login"), "username": "alice",
                                         "password": "correct horse battery staple"}, timeout=10)
    assert r.status_code == 429 and 'id="limited"' in r.text  # even the right password waits
    from datetime import timedelta

    hub.clock.offset = timedelta(minutes=16)
    hub.login("alice")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_session_cookie_flags_csrf_and_a_password_change_ending_other_sessions(hub: Hub, tmp_path: Path) -> None:
    hub.add_user("bob", Role.TECHNICIAN)
    s = requests.Session()
    r = s.post(f"{hub.url}/login", data={"csrf_token": csrf(s, f"{hub.url}/login"), "username": "bob",
                                         "password": "correct horse battery staple"}, allow_redirects=False, timeout=10)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie  # Secure is off only for these plain-HTTP tests
    assert "Secure" not in cookie
    # a form posted without its token is refused
    hub.enrol("totem-1")
    r = s.post(f"{hub.url}/fleet/devices/totem-1/screenshot", data={}, allow_redirects=False, timeout=10)
    assert r.status_code == 400
    other = hub.login("bob")
    token = csrf(s, f"{hub.url}/account")
    r = s.post(f"{hub.url}/account", data={"csrf_token": token, "current": "correct horse battery staple",
                                           "password": "a new long password"}, allow_redirects=False, timeout=10)
    assert r.status_code == 302
    assert s.get(f"{hub.url}/fleet", allow_redirects=False, timeout=10).status_code == 200
    assert other.get(f"{hub.url}/fleet", allow_redirects=False, timeout=10).status_code == 302  # signed out
    from hub.settings import HubSettings
    from hub.web import create_app

    secure = create_app(HubSettings(data_dir=tmp_path / "secure"), hub.db)
    assert secure.config["SESSION_COOKIE_SECURE"] is True  # the default


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_names_and_reports_are_shown_as_text(hub: Hub) -> None:
    hub.add_user("carol", Role.ADMIN)
    hub.enrol("totem-1", place='<img src=x onerror="alert(1)">')
    from datetime import UTC, datetime

    requests.post(f"{hub.url}/v1/devices/totem-1/events", headers=hub.auth("totem-1"), timeout=10, json={"events": [
        {"key": "h", "kind": "heartbeat", "created_at": datetime.now(UTC).isoformat(),
         "payload": {"player": {"showing": "<script>alert(2)</script>", "why": "<b>bold</b>"},
                     "errors": ["<iframe src=//x>"]}}]})
    s = hub.login("carol")
    for page in ("/fleet", "/fleet/devices/totem-1"):
        html = s.get(hub.url + page, timeout=10).text
        assert "<script>alert(2)" not in html and "<img src=x" not in html and "<iframe" not in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    r = s.get(hub.url + "/fleet", timeout=10)
    assert "script-src 'self'" in r.headers["Content-Security-Policy"] and r.headers["X-Frame-Options"] == "DENY"
    assert re.search(r"<html lang=\"fr\">", r.text)

"""A real hub for the tests: werkzeug's server on 127.0.0.1 in a thread, on SQLite or on a
throwaway PostgreSQL database, with a settable clock, staff users and enrolled devices."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from hub.db import Database, migrate
from hub.fleet.accounts import create_user
from hub.fleet.devices import make_enrol_code
from hub.fleet.roles import Role
from hub.publisher import publish
from hub.server import DevServer
from hub.settings import HubSettings

PASSWORD = "correct horse battery staple"
_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Clock:
    """Real time shifted by ``offset`` (a test moves it forward to age contacts)."""

    offset: timedelta = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Hub:
    url: str
    settings: HubSettings
    db: Database
    server: DevServer
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    def add_user(self, name: str, *roles: Role, password: str = PASSWORD) -> str:
        with self.db.transaction() as s:
            create_user(s, name, password, frozenset(roles), self.clock())
        return password

    def enrol(self, device_id: str, place: str = "") -> str:
        with self.db.transaction() as s:
            code = make_enrol_code(s, "test", self.clock(), device_id=device_id, place=place)
        r = requests.post(f"{self.url}/v1/enrol", json={"code": code}, timeout=10)
        assert r.status_code == 200, r.text
        self.tokens[device_id] = r.json()["token"]
        return self.tokens[device_id]

    def auth(self, device_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[device_id]}"}

    def login(self, name: str, password: str = PASSWORD) -> requests.Session:
        s = requests.Session()
        r = s.post(f"{self.url}/login", data={"csrf_token": csrf(s, f"{self.url}/login"), "username": name,
                                              "password": password}, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.text[:500]
        return s


def csrf(session: requests.Session, page_url: str) -> str:
    """The CSRF token of a page's form (the session keeps the cookie it goes with)."""
    html = session.get(page_url, timeout=10).text
    m = _CSRF_RE.search(html)
    assert m, f"no CSRF token on {page_url}"
    return m.group(1) or m.group(2)


def start_hub(root: Path, database_url: str | None, source: Path | None, **settings: object) -> Hub:
    clock = Clock()
    cfg = HubSettings(data_dir=root / "hub-data", database_url=database_url, secure_cookies=False,
                      now=clock, **settings)  # type: ignore[arg-type]  # test overrides by keyword
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    if source is not None:
        publish(source, cfg.published_dir)
    db = Database(cfg.url)
    migrate(db)
    server = DevServer(cfg, "127.0.0.1", 0).start()
    return Hub(server.url, cfg, db, server, clock)


def stop_hub(hub: Hub) -> None:
    hub.server.stop()
    hub.server.app.extensions["town_kiosk_hub"].stop_flusher()
    hub.db.dispose()
    hub.server.app.extensions["town_kiosk_hub"].database.dispose()

"""The editor's tests: a hub on a content folder, its users, and posting its forms."""
from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape
from pathlib import Path
from typing import Any

import requests

from .harness import Hub, csrf

FORM_VALUE = re.compile(r'<input[^>]*name="(doc_digest)"[^>]*value="([^"]*)"')


def election_in_force(today: date) -> tuple[str, str]:
    """(first_round, last_round) of an election whose reserve period holds ``today``."""
    month = today.month + 2
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return f"{year}-{month:02d}-15", f"{year}-{month:02d}-22"


def add_election(src: Path, today: date, name: str = "Municipales test") -> tuple[str, str]:
    first, last = election_in_force(today)
    with (src / "site.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[neutrality]\nelections = [{{ name = "{name}", first_round = {first}, last_round = {last} }}]\n'
                '[neutrality.policy]\nwithhold_tags = ["bilan", "promotion"]\n')
    return first, last


def form_digest(html: str) -> str:
    m = FORM_VALUE.search(html)
    assert m, "no doc_digest in the form"
    return m.group(2)


def post_form(s: requests.Session, hub: Hub, path: str, data: dict[str, Any], files: Any = None,
              digest: str | None = None) -> requests.Response:
    """GET the form (its CSRF token and digest), then POST ``data`` to it."""
    page = s.get(f"{hub.url}{path}", timeout=30)
    assert page.status_code == 200, page.text[-2000:]
    token = csrf(s, f"{hub.url}{path}")
    body = {"csrf_token": token, "doc_digest": digest if digest is not None else form_digest(page.text), **data}
    return s.post(f"{hub.url}{path}", data=body, files=files, allow_redirects=False, timeout=60)


def errors_of(html: str) -> list[str]:
    return [unescape(x) for x in re.findall(r'class="field-error"[^>]*>([^<]+)<', html)]


def flashes(html: str) -> list[str]:
    return [unescape(x) for x in re.findall(r'<p class="flash[^"]*">([^<]+)</p>', html)]


def local(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M")


def in_english(s: requests.Session, hub: Hub) -> None:
    """The signed-in user chooses English (their pages follow their choice)."""
    r = s.post(f"{hub.url}/language", data={"csrf_token": csrf(s, f"{hub.url}/account"), "lang": "en",
                                            "next": "/account"}, timeout=10)
    assert r.status_code == 200 and '<html lang="en">' in r.text

"""Publishing from the hub: the same ``kiosk publish`` as the timer and a technician run
(the content folder and its content sources into the hub's published tree, which devices
poll), then a record of who published which version and what it contained.

``kiosk publish`` runs in a subprocess with the sources' state folder of the hub (its lock
shared with the timer's runs), so a web worker never holds the sources' code or a stuck
fetch. A folder with problems publishes nothing; its lines come back to the page.
"""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from hub.db.models import Publication

log = logging.getLogger(__name__)
PUBLISH_TIMEOUT_S = 900.0
EXIT_OK, EXIT_INVALID, EXIT_STALE = 0, 4, 8


@dataclass(frozen=True)
class Published:
    ok: bool
    version: str | None
    changed: bool
    lines: tuple[str, ...]  # problems (not ok) or warnings, one line each
    stale_sources: bool = False


def run_publish(content: Path, published: Path, state: Path, now: datetime | None = None) -> Published:
    """``kiosk publish CONTENT PUBLISHED --state STATE`` and what it said."""
    cmd = [sys.executable, "-m", "kiosk", "publish", str(content), str(published), "--state", str(state)]
    if now is not None:
        cmd += ["--published-at", now.isoformat()]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=PUBLISH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return Published(False, None, False, (f"publishing took over {PUBLISH_TIMEOUT_S:.0f} s; nothing changed",))
    # Its own lines ("kiosk: error: …", "kiosk: warning: …"), not its log's
    lines = tuple(line.removeprefix("kiosk: error: ").removeprefix("kiosk: warning: ").removeprefix("kiosk: ")
                  for line in r.stderr.splitlines() if line.startswith("kiosk: "))
    if r.returncode not in (EXIT_OK, EXIT_STALE):
        log.warning("publish failed (exit %s): %s", r.returncode, "; ".join(lines[:5]))
        return Published(False, None, False, lines or (f"kiosk publish ended with exit status {r.returncode}",))
    out = r.stdout.strip().splitlines()
    summary = out[-1] if out else ""
    version = summary.split("version ", 1)[1].split(",")[0].strip() if "version " in summary else None
    return Published(True, version, summary.startswith("published"), lines, r.returncode == EXIT_STALE)


def _title(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("fr") or next(iter(value.values()), ""))
    return str(value or "")


def contents_of(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What a manifest holds, one entry per item, bulletin and kiosk page (for the trail)."""
    bulletins = {b.get("id"): b for b in doc.get("bulletins", ())}
    out: list[dict[str, Any]] = []
    for p in doc.get("playlists", ()):
        for item in p.get("items", ()):
            b = bulletins.get(item.get("bulletin")) or {}
            out.append({"kind": item.get("type"), "id": item.get("id"), "playlist": p.get("id"),
                        "title": _title(item.get("caption") or b.get("title")), "tags": item.get("tags") or [],
                        "valid_from": item.get("valid_from"), "valid_until": item.get("valid_until")})
    for b in doc.get("bulletins", ()):
        alert = b.get("severity") == "critical" or b.get("alert") is not None
        out.append({"kind": "alert" if alert else "bulletin", "id": b.get("id"), "playlist": None,
                    "title": _title(b.get("title")), "tags": [], "valid_from": b.get("valid_from"),
                    "valid_until": b.get("valid_until")})
    for section, docs in (doc.get("kiosk") or {}).items():
        for d in docs:
            if isinstance(d, Mapping):
                out.append({"kind": section, "id": d.get("id"), "playlist": None,
                            "title": _title(d.get("title") or d.get("name")), "tags": d.get("tags") or [],
                            "valid_from": d.get("start"), "valid_until": d.get("end"), "url": d.get("url")})
    return out


def record(s: Session, user: str, result: Published, published: Path, now: datetime, in_reserve: bool) -> Publication:
    """The publication in the audit trail, with the contents of the version published."""
    try:
        doc = json.loads((published / "v1" / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        doc = {}
    row = Publication(at=now, username=user, version=result.version or str(doc.get("version", "?")),
                      changed=result.changed, in_reserve=in_reserve, contents=contents_of(doc),
                      warnings=list(result.lines[:200]))
    s.add(row)
    s.flush()
    log.info("publication %s by %s: version %s (%s)", row.id, user, row.version,
             "new" if result.changed else "unchanged")
    return row

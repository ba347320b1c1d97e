"""Live content straight from a content folder (the demo town), without a cache.

The harness and ``scripts/make_screens.py`` render the touch UI from the same source a
town publishes, validated by the same schema, without syncing it into a device first.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from content_cache import BulletinData, LiveContent, LocalText
from hub.demo import DEMO_CONTENT
from hub.publisher import build_document
from sync import validate_document


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def content_from_document(doc: Mapping[str, Any], version: str = "sample") -> LiveContent:
    """A manifest document (already validated) → the values the player would read."""
    site = doc["site"]
    bulletins = tuple(
        BulletinData(
            id=b["id"], category=b["category"], severity=b["severity"],
            title=LocalText.from_mapping(b["title"]), body=LocalText.from_mapping(b.get("body")),
            valid_from=_dt(b.get("valid_from")), valid_until=_dt(b.get("valid_until")),
            alert=b.get("alert"),
        )
        for b in doc.get("bulletins", ())
    )
    sections = {
        name: tuple(sorted(docs, key=lambda d: (d.get("order", 0), d["id"])))
        for name, docs in (doc.get("kiosk") or {}).items()
    }
    return LiveContent(
        version_id=str(doc.get("version") or version), generation=1,
        published_at=_dt(doc.get("published_at")) or datetime(2026, 1, 1, tzinfo=UTC),
        site_id=site["id"], site_name=LocalText.from_mapping(site["name"]),
        timezone=site["timezone"], languages=tuple(site["languages"]),
        default_playlist=site["default_playlist"], playlists={},
        bulletins=bulletins, kiosk_sections=sections, neutrality=doc.get("neutrality"),
    )


def media_from_folder(src: Path = DEMO_CONTENT) -> Callable[[str], Path | None]:
    """sha256 → the folder's file, so a folder's page images show without a media store."""
    _doc, files = build_document(Path(src))
    return files.get


def content_from_folder(src: Path = DEMO_CONTENT, version: str = "sample") -> LiveContent:
    """Read, validate and convert a content folder; raises PublishError / ManifestError."""
    doc, _files = build_document(Path(src))
    doc = {"version": version, "published_at": "2026-11-26T06:00:00Z", **doc}
    validate_document(json.loads(json.dumps(doc)), str(src))
    return content_from_document(doc, version)

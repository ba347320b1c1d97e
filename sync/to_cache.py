"""Turn a validated manifest into content-cache rows for one version (plain values: no
SQLAlchemy, which a one-shot sync never imports)."""
from __future__ import annotations

from datetime import datetime

from content_cache import VersionRows

from .manifest import Manifest, _parse_dt

# The item fields that say how it is drawn, kept together in the item's ``look`` column.
LOOK_FIELDS = ("fit", "focus", "caption_position", "media_portrait", "media_landscape")


def _dt(value: str | None) -> datetime | None:
    return _parse_dt(value) if value else None


def version_rows(manifest: Manifest, *, manifest_sha256: str, etag: str | None, now: datetime) -> VersionRows:
    """The rows of ``manifest``'s version; the cache inserts them in one transaction."""
    doc = manifest.document
    site = doc["site"]
    version = dict(
        id=manifest.version,
        schema_version=doc["schema_version"],
        published_at=manifest.published_at,
        received_at=now,
        manifest_sha256=manifest_sha256,
        etag=etag,
        site_id=site["id"],
        site_name=site["name"],
        timezone=site["timezone"],
        languages=list(site["languages"]),
        default_playlist=site["default_playlist"],
        holidays=site.get("holidays"),
        neutrality=doc.get("neutrality"),
        layout=site.get("layout"),
    )
    media = [
        dict(
            sha256=m.sha256, size=m.size, mime_type=m.mime_type, name=m.name[:255],
            duration_s=m.duration_s,
        )
        for m in manifest.media
    ]
    bulletins = [
        dict(
            id=b["id"],
            category=b["category"],
            severity=b["severity"],
            title=b["title"],
            body=b.get("body", {}),
            valid_from=_dt(b.get("valid_from")),
            valid_until=_dt(b.get("valid_until")),
            alert=b.get("alert"),
            link=b.get("link"),
            picture=b.get("picture"),
        )
        for b in doc["bulletins"]
    ]
    playlists, items = [], []
    for p in doc["playlists"]:
        look = {k: p[k] for k in ("fit", "layout") if k in p}
        playlists.append(dict(id=p["id"], name=p.get("name", {}), look=look or None))
        items += [
            dict(
                playlist_id=p["id"],
                position=pos,
                id=it["id"],
                kind=it["type"],
                media_sha256=it.get("media"),
                bulletin_id=it.get("bulletin"),
                duration_s=it.get("duration"),
                valid_from=_dt(it.get("valid_from")),
                valid_until=_dt(it.get("valid_until")),
                caption=it.get("caption"),
                weekdays=it.get("weekdays"),
                dayparts=it.get("dayparts"),
                skip_dates=it.get("skip_dates"),
                skip_holidays=it.get("skip_holidays", False),
                priority=it.get("priority", 0),
                weight=it.get("weight", 1),
                languages=it.get("languages"),
                tags=it.get("tags"),
                category=it.get("category"),
                look={k: it[k] for k in LOOK_FIELDS if k in it} or None,
            )
            for pos, it in enumerate(p["items"])
        ]
    documents = [
        dict(section=section, id=d["id"], body=d)
        for section, docs in (doc.get("kiosk") or {}).items()
        for d in docs
    ]
    return VersionRows(version, tuple(media), tuple(bulletins), tuple(playlists), tuple(items), tuple(documents))

"""The sources' results into the manifest document, after the hand-written content.

The hand-written content wins: a document, bulletin or playlist item whose id the content
folder already has is left out (write a page with a source item's id to replace it). Between
sources, the first in ``sources.toml`` wins. OSM ``opening_hours`` strings — hand-written or
ingested — become structured ``hours`` here (:mod:`hub.sources.hours`). Section sizes stay
within what devices accept (the schema's limits): beyond, the latest documents are left out
with one warning.
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .base import SourceResult
from .hours import OpeningHoursError, expand
from .state import MediaStore

SECTION_LIMITS = {"services": 1000, "menus": 1000, "procedures": 1000, "events": 5000, "news": 1000,
                  "places": 2000, "numbers": 500, "forecast": 31}
BULLETIN_LIMIT = 10000
ITEM_LIMIT = 10000
HOURS_SECTIONS = ("services", "places")


def merge_into(doc: dict[str, Any], files: dict[str, Path], results: Sequence[tuple[str, SourceResult]],
               store: MediaStore, *, src: Path, tz: ZoneInfo, today: date, holidays: Mapping[date, Mapping[str, str]],
               lang: str, school_zone: str | None) -> tuple[list[str], list[str]]:
    """Add ``results`` (source id, result), in order, to the manifest document ``doc`` and
    its media ``files``; convert opening_hours. Returns (errors, warnings), one line each."""
    errors: list[str] = []
    warnings: list[str] = []
    kiosk: dict[str, list[Any]] = doc.setdefault("kiosk", {})
    bulletins: list[Any] = doc.setdefault("bulletins", [])
    playlists = {p.get("id"): p for p in doc.get("playlists", [])}
    media_listed = {m["sha256"] for m in doc.get("media", [])}
    wanted_media: dict[str, Any] = {}

    for sid, result in results:
        for section, docs in result.documents.items():
            target = kiosk.setdefault(section, [])
            have = {d.get("id") for d in target if isinstance(d, dict)}
            room = SECTION_LIMITS.get(section, 5000) - len(target)
            new = [d for d in docs if d.get("id") not in have]
            if len(new) > room:
                warnings.append(f'source "{sid}": {section}: {len(new)} documents but room for {max(room, 0)} '
                                f"(devices take {SECTION_LIMITS.get(section, 5000)}); the last ones are left out")
                new = new[: max(room, 0)]
            target.extend(new)
            for d in new:
                if d.get("image"):
                    wanted_media[d["image"]] = sid
        have_b = {b.get("id") for b in bulletins}
        new_b = [b for b in result.bulletins if b.get("id") not in have_b][: max(BULLETIN_LIMIT - len(bulletins), 0)]
        bulletins.extend(new_b)
        for playlist_id, item in result.items:
            playlist = playlists.get(playlist_id)
            if playlist is None:
                warnings.append(f'source "{sid}": poster_playlist: no playlist has id {playlist_id!r}; '
                                f"its posters are left out (expected one of {', '.join(sorted(map(str, playlists)))})")
                break
            items = playlist.setdefault("items", [])
            if item.get("id") not in {i.get("id") for i in items} and len(items) < ITEM_LIMIT:
                items.append(item)
                wanted_media[item["media"]] = sid
        for m in result.media:
            if m.sha256 in wanted_media and m.sha256 not in media_listed:
                path = store.path(m.sha256)
                if not path.is_file():
                    warnings.append(f'source "{sid}": image {m.sha256[:12]} is missing from the state folder; '
                                    "it will be fetched again")
                    continue
                doc.setdefault("media", []).append({"sha256": m.sha256, "size": m.size, "type": m.type,
                                                    "name": m.name})
                media_listed.add(m.sha256)
                files[m.sha256] = path
    _drop_missing_images(doc, media_listed)
    if "media" in doc:
        doc["media"].sort(key=lambda m: m["sha256"])
    _opening_hours(doc, src, tz, today, holidays, lang, school_zone, errors, warnings)
    if not kiosk:
        del doc["kiosk"]
    return errors, warnings


def _drop_missing_images(doc: dict[str, Any], listed: set[str]) -> None:
    """A source's page whose picture could not be listed shows without it (never a dangling hash)."""
    for docs in (doc.get("kiosk") or {}).values():
        for d in docs:
            if isinstance(d, dict) and d.get("image") and d["image"] not in listed and "source" in d:
                del d["image"]
    for p in doc.get("playlists", []):
        p["items"] = [i for i in p.get("items", []) if i.get("type") not in ("image", "video")
                      or i.get("media") in listed or "media" not in i]


def _opening_hours(doc: dict[str, Any], src: Path, tz: ZoneInfo, today: date,
                   holidays: Mapping[date, Mapping[str, str]], lang: str, school_zone: str | None,
                   errors: list[str], warnings: list[str]) -> None:
    files: dict[tuple[str, str], str] | None = None
    for section in HOURS_SECTIONS:
        for d in (doc.get("kiosk") or {}).get(section, ()):
            if not isinstance(d, dict) or "opening_hours" not in d:
                continue
            if files is None:
                files = _where_written(src)
            where = f"{files.get((section, str(d.get('id'))), 'kiosk')}: {section}[id={d.get('id')}].opening_hours"
            expression = d.pop("opening_hours")
            if "hours" in d:
                errors.append(f"{where}: give opening_hours or hours, not both")
                continue
            if not isinstance(expression, str):
                errors.append(f"{where}: expected a text such as \"Mo-Fr 08:30-12:00; PH off\"")
                continue
            try:
                hours, notes = expand(expression, tz=tz, today=today, holidays=holidays, lang=lang,
                                      school_zone=school_zone)
            except OpeningHoursError as e:
                errors.append(f"{where}: {e}")
                continue
            d["hours"] = hours
            warnings += [f"{where}: {n}" for n in notes]


def _where_written(src: Path) -> dict[tuple[str, str], str]:
    """(section, id) → the kiosk file it is written in, to name it in a problem."""
    out: dict[tuple[str, str], str] = {}
    for path in sorted((src / "kiosk").glob("*.toml")):
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for section, docs in data.items():
            for d in docs if isinstance(docs, list) else ():
                if isinstance(d, dict) and "id" in d:
                    out.setdefault((section, str(d["id"])), f"kiosk/{path.name}")
    return out

"""The content manifest (content API v1): parsing and full validation.

Validation collects every problem as one line ``path: message`` (``playlists[0].items[2]
.duration: -5 is not greater than 0``), so a publisher sees all its mistakes at once and
a device log names the exact field. Nothing is written anywhere until a manifest passes.
"""
from __future__ import annotations

import contextlib
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import SyncError

if TYPE_CHECKING:  # imported when a manifest is validated: a 304 never needs it
    import jsonschema

SCHEMA_VERSION = 1
MAX_MANIFEST_BYTES = 8 * 1024 * 1024


class ManifestError(SyncError, ValueError):
    """A manifest failed validation; ``problems`` holds one line per problem."""

    def __init__(self, problems: Sequence[str], source: str = "manifest") -> None:
        self.problems = list(problems)
        self.source = source
        first = self.problems[0] if self.problems else "invalid"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{source}: {first}{more}")

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]


@dataclass(frozen=True)
class MediaEntry:
    sha256: str
    size: int
    mime_type: str
    name: str
    duration_s: float | None = None


@dataclass(frozen=True)
class Manifest:
    """A validated manifest. ``document`` is the checked JSON, kept for storage."""

    version: str
    published_at: datetime
    timezone: str
    media: tuple[MediaEntry, ...]
    document: Mapping[str, Any]

    @property
    def total_bytes(self) -> int:
        return sum(m.size for m in self.media)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    text = resources.files("sync").joinpath("schema/manifest-v1.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    """jsonschema's validator: the reference, and the one that words the problems.

    The schema ships with the code; tests/sync/test_manifest.py checks it against its
    meta-schema. Checking it again in every process cost ~0.15 s of each `sync --once`.
    """
    import jsonschema

    def pattern(validator, regex: str, instance: Any, _schema: Any):  # noqa: ANN202 - a generator
        # JSON Schema patterns are ECMA-262 regular expressions, whose `$` is the end of the
        # string; Python's `$` also matches before a final newline ("lobby\n" an id).
        if validator.is_type(instance, "string") and not _ecma_end(regex).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {regex!r}")

    base = jsonschema.validators.validator_for(schema())
    return jsonschema.validators.extend(base, {"pattern": pattern})(schema())


@lru_cache(maxsize=64)
def _ecma_end(regex: str) -> re.Pattern[str]:
    return re.compile(regex[:-1] + r"\Z" if regex.endswith("$") and not regex.endswith("\\$") else regex)


@lru_cache(maxsize=1)
def _fast_validator() -> Any:
    """jsonschema-rs's compiled validator where its wheel is installed, else None.

    It decides in about 1 ms, with no import of jsonschema, whether a manifest is valid
    (jsonschema: ~0.1 s of imports and ~0.06 s for 200 media files). A manifest it refuses is
    run through :func:`_validator` for the wording. Both follow draft 2020-12 and its test
    suite; formats are annotations only, in both.
    """
    try:
        import jsonschema_rs
    except ImportError:  # no wheel for this machine (32-bit ARM): jsonschema alone
        return None
    return jsonschema_rs.validator_for(schema(), validate_formats=False)


def _schema_problems(doc: Any) -> list[str]:
    """One line per place where ``doc`` breaks the schema; empty when it conforms."""
    fast = _fast_validator()
    if fast is not None:
        try:
            if fast.is_valid(doc):
                return []
        except (ValueError, TypeError, OverflowError):  # a value it cannot take: jsonschema decides
            fast = None
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    problems = [line for e in errors for line in _schema_lines(e)]
    # "x.severty: unknown key; did you mean 'severity'?" says why x misses 'severity': once is enough
    meant = {(line.split(": ", 1)[0].rsplit(".", 1)[0], line.rsplit("'", 2)[1])
             for line in problems if line.endswith("'?") and ": unknown key; did you mean '" in line}
    problems = [line for line in problems
                if not (line.endswith("'") and ": missing required field '" in line
                        and (line.split(": ", 1)[0], line.rsplit("'", 2)[1]) in meant)]
    if not problems and fast is not None:
        # The two disagree (no such document is known): the stricter answer stands.
        problems = [f"{format_path(e.instance_path)}: {_clip(e.message)}" for e in fast.iter_errors(doc)]
    return problems


def format_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_lines(err: jsonschema.ValidationError) -> list[str]:
    """An unknown key is a line of its own, with the key in the path and a "did you mean"
    (as the device config does); any other problem is the line of :func:`_schema_message`."""
    if err.validator == "additionalProperties" and err.validator_value is False and isinstance(err.instance, dict):
        known = list((err.schema.get("properties") or {}) if isinstance(err.schema, dict) else {})
        patterns = [re.compile(p) for p in (err.schema.get("patternProperties") or {})] if isinstance(
            err.schema, dict) else []
        extra = [k for k in err.instance if k not in known and not any(p.search(k) for p in patterns)]
        if extra:
            return [f"{format_path([*err.absolute_path, k])}: unknown key{did_you_mean(k, known)}" for k in extra]
    return [f"{format_path(err.absolute_path)}: {_schema_message(err)}"]


def did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _schema_message(err: jsonschema.ValidationError) -> str:
    # jsonschema's messages can quote whole sub-documents; keep each line short.
    v = err.validator
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"missing required field '{missing}'"
    if v == "additionalProperties":
        return err.message.replace(" were unexpected", " is not allowed").replace(
            " was unexpected", " is not allowed"
        )
    if v == "pattern":
        return f"{_short(err.instance)} has an invalid format"
    if v == "enum":
        return f"{_short(err.instance)} is not one of {', '.join(map(str, err.validator_value))}"
    if v == "type":
        return f"{_short(err.instance)} is not of type {err.validator_value}"
    if v in ("maxItems", "maxProperties", "maxLength"):
        return f"too long (limit {err.validator_value})"
    return _clip(err.message)


def _clip(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "..."


def _parse_dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _semantic_problems(doc: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    try:
        ZoneInfo(doc["site"]["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"site.timezone: unknown time zone {doc['site']['timezone']!r}")

    media: dict[str, str] = {}
    for i, m in enumerate(doc["media"]):
        if m["sha256"] in media:
            problems.append(f"media[{i}].sha256: listed twice")
        media[m["sha256"]] = m["type"].split("/")[0]

    bulletin_ids: set[str] = set()
    for i, b in enumerate(doc["bulletins"]):
        if b["id"] in bulletin_ids:
            problems.append(f"bulletins[{i}].id: duplicate id {b['id']!r}")
        bulletin_ids.add(b["id"])
        problems += _window_problems(b, f"bulletins[{i}]")
        if "picture" in b and media.get(b["picture"]) != "image":
            problems.append(f"bulletins[{i}].picture: {b['picture']} is not an image in the media list")

    playlist_ids: set[str] = set()
    for p_i, p in enumerate(doc["playlists"]):
        if p["id"] in playlist_ids:
            problems.append(f"playlists[{p_i}].id: duplicate id {p['id']!r}")
        playlist_ids.add(p["id"])
        item_ids: set[str] = set()
        for i_i, item in enumerate(p["items"]):
            where = f"playlists[{p_i}].items[{i_i}]"
            if item["id"] in item_ids:
                problems.append(f"{where}.id: duplicate id {item['id']!r} in playlist")
            item_ids.add(item["id"])
            kind = item["type"]
            if kind in ("image", "video"):
                for key in ("media", "media_portrait", "media_landscape"):
                    sha = item.get(key)
                    if sha is None and key != "media":
                        continue
                    if sha not in media:
                        problems.append(f"{where}.{key}: {sha} is not in the media list")
                    elif media[sha] != kind:
                        problems.append(f"{where}.{key}: a {kind} item points to a {media[sha]} file")
                if "bulletin" in item and item["bulletin"] not in bulletin_ids:
                    problems.append(f"{where}.bulletin: unknown bulletin {item['bulletin']!r}")
            elif item.get("bulletin") not in bulletin_ids:
                problems.append(f"{where}.bulletin: unknown bulletin {item.get('bulletin')!r}")
            problems += _window_problems(item, where)

    if doc["site"]["default_playlist"] not in playlist_ids:
        problems.append(
            f"site.default_playlist: no playlist has id {doc['site']['default_playlist']!r}"
        )
    for section, docs in (doc.get("kiosk") or {}).items():
        seen: set[str] = set()
        for i, d in enumerate(docs):
            if d["id"] in seen:
                problems.append(f"kiosk.{section}[{i}].id: duplicate id {d['id']!r}")
            seen.add(d["id"])
    problems += _schedule_problems(doc)
    return problems


def _schedule_problems(doc: Mapping[str, Any]) -> list[str]:
    """Scheduling rules the schema cannot check: real calendar dates, usable day-parts,
    holidays listed once."""
    problems: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(doc["site"].get("holidays", ())):
        problems += _date_problems(h["date"], f"site.holidays[{i}].date")
        if h["date"] in seen:
            problems.append(f"site.holidays[{i}].date: {h['date']} is listed twice")
        seen.add(h["date"])
    for p_i, p in enumerate(doc["playlists"]):
        for i_i, item in enumerate(p["items"]):
            where = f"playlists[{p_i}].items[{i_i}]"
            for k, day in enumerate(item.get("skip_dates", ())):
                problems += _date_problems(day, f"{where}.skip_dates[{k}]")
            for k, part in enumerate(item.get("dayparts", ())):
                at = f"{where}.dayparts[{k}]"
                if part["from"] == "24:00":
                    problems.append(f"{at}.from: '24:00' cannot start a day-part (use '00:00')")
                elif part["to"] == part["from"]:
                    problems.append(f"{at}.to: {part['to']!r} is the same as from (an empty day-part)")
    return problems


def _date_problems(value: str, where: str) -> list[str]:
    try:
        date.fromisoformat(value)
    except ValueError:
        return [f"{where}: {value!r} is not a calendar date"]
    return []


def _window_problems(obj: Mapping[str, Any], where: str) -> list[str]:
    start, end = obj.get("valid_from"), obj.get("valid_until")
    if start and end and _parse_dt(end) <= _parse_dt(start):
        return [f"{where}.valid_until: {end} is not after valid_from {start}"]
    return []


def document_problems(doc: Any) -> list[str]:
    """Every problem of ``doc`` at once: the schema's, and the rules beyond it wherever
    the document's shape lets them be checked (a publisher shows all its author's mistakes
    in one go; a device needs only :func:`validate_document`)."""
    problems = _schema_problems(doc)
    with contextlib.suppress(KeyError, TypeError, AttributeError, ValueError):  # a broken shape: the schema says where
        problems += _semantic_problems(doc)
    return list(dict.fromkeys(problems))


def validate_document(doc: Any, source: str = "manifest") -> Manifest:
    """Validate a decoded manifest fully; raise :class:`ManifestError` listing all problems."""
    problems = _schema_problems(doc)
    if problems:
        raise ManifestError(problems, source)
    problems = _semantic_problems(doc)
    if problems:
        raise ManifestError(problems, source)
    return Manifest(
        version=doc["version"],
        published_at=_parse_dt(doc["published_at"]),
        timezone=doc["site"]["timezone"],
        media=tuple(
            MediaEntry(
                sha256=m["sha256"],
                size=m["size"],
                mime_type=m["type"],
                name=m.get("name", ""),
                duration_s=m.get("duration"),
            )
            for m in doc["media"]
        ),
        document=doc,
    )


def _not_a_json_number(name: str) -> float:
    # Python's json reads NaN and Infinity; JSON has neither, and a NaN compares false
    # with every bound, so a duration of NaN would pass "greater than 0".
    raise ValueError(f"{name} is not a JSON number")


def parse_manifest(body: bytes, source: str = "manifest") -> Manifest:
    """Decode and validate a manifest body received from the content API."""
    if len(body) > MAX_MANIFEST_BYTES:
        raise ManifestError([f"body is {len(body)} bytes, over the {MAX_MANIFEST_BYTES} limit"], source)
    if not body.strip():
        raise ManifestError(["body is empty"], source)
    try:
        doc = json.loads(body.decode("utf-8"), parse_constant=_not_a_json_number)
    except UnicodeDecodeError as e:
        raise ManifestError([f"not UTF-8 ({e.reason} at byte {e.start})"], source) from None
    except json.JSONDecodeError as e:
        raise ManifestError([f"not JSON: {e.msg} at line {e.lineno} column {e.colno}"], source) from None
    except ValueError as e:
        raise ManifestError([f"not JSON: {e}"], source) from None
    except RecursionError:
        raise ManifestError(["JSON nested too deeply"], source) from None
    if not isinstance(doc, dict):
        raise ManifestError(["(document): not a JSON object"], source)
    return validate_document(doc, source)


def manifest_bytes(doc: Mapping[str, Any]) -> bytes:
    """Canonical serialisation used by the publisher (stable, so ETags are stable)."""
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")

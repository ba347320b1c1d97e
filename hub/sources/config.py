"""``sources.toml``: the town's content sources, declared beside the content.

::

    [[source]]
    id = "actualites"
    kind = "rss"
    url = "https://www.valbruyere.fr/feed/"
    tags = ["actualite"]

Every problem is collected and reported at once, one line each, as
``sources.toml: source "actualites": ticker_days: 'sept' is not a whole number (expected 1 … 60)``,
with "did you mean" for an unknown key. A source with a problem is left out of this run (its
last good result is kept); the others and the hand-written content are published.
Credentials are never written in the file: ``key_file`` names a file holding the key,
``key_env`` an environment variable.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import SourceSpec

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}\Z")
PLAYLIST_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
CATEGORIES = ("info", "event", "works", "alert", "culture", "sport", "transport", "health")
SECRET_KEYS = ("key", "apikey", "api_key", "token", "password", "secret", "client_secret")


@dataclass(frozen=True)
class Field:
    """One option of a kind: its type, whether it is required, its default, what it accepts."""

    type: str  # str | url | int | number | bool | str_list | id | id_list | choice | choice_list
    required: bool = False
    default: Any = None
    expected: str = ""  # shown after a problem: "(expected …)"
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


COMMON: dict[str, Field] = {
    "id": Field("id", required=True, expected="a short name: lowercase letters, digits, - or _"),
    "kind": Field("choice", required=True),  # choices filled from the kinds
    "url": Field("url", expected="an https:// or http:// address"),
    "name": Field("str", expected="the publisher's name, shown as the source on kiosk pages"),
    "licence": Field("str", expected='e.g. "Licence Ouverte / Etalab 2.0"'),
    "language": Field("str", expected="a language code such as fr"),
    "tags": Field("id_list", default=(), expected='a list of tags such as ["culture"]'),
    "category": Field("choice", choices=CATEGORIES),
    "enabled": Field("bool", default=True, expected="true or false"),
    "hold_for_review": Field("bool", default=False, expected="true or false"),
    "max_mb": Field("int", default=10, minimum=1, maximum=200, expected="1 … 200 (megabytes)"),
    "timeout": Field("int", default=20, minimum=1, maximum=300, expected="1 … 300 (seconds)"),
    "key_file": Field("str", expected="the path of a file holding the key"),
    "key_env": Field("str", expected="the name of an environment variable holding the key"),
}


class SourcesConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems[0] if problems else "sources.toml")


@dataclass(frozen=True)
class SourcesConfig:
    sources: tuple[SourceSpec, ...]
    problems: tuple[str, ...]  # one line each; their sources are left out
    path: Path | None
    school_zone: str | None = None  # [opening_hours] school_zone: A, B or C

    def get(self, source_id: str) -> SourceSpec | None:
        return next((s for s in self.sources if s.id == source_id), None)


def load_sources(src: Path, default_language: str, kinds: Mapping[str, Mapping[str, Field]],
                 defaults: Mapping[str, Mapping[str, Any]]) -> SourcesConfig:
    """Read ``src/sources.toml`` (no file: no sources). ``kinds`` maps each kind to its own
    fields, ``defaults`` to its default url, name and licence."""
    path = Path(src) / "sources.toml"
    if not path.is_file():
        return SourcesConfig((), (), None)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        return SourcesConfig((), (f"sources.toml: {e} (no source is read until it is fixed)",), path)
    except OSError as e:
        return SourcesConfig((), (f"sources.toml: {e.strerror}",), path)
    problems: list[str] = []
    for key in data:
        if key not in ("source", "opening_hours"):
            problems.append(f"sources.toml: {key}: unknown table (expected [[source]] tables or [opening_hours])"
                            f"{_suggest(key, ['source', 'opening_hours'])}")
    school_zone = None
    oh = data.get("opening_hours", {})
    if isinstance(oh, dict):
        for key, value in oh.items():
            if key != "school_zone":
                problems.append(f"sources.toml: opening_hours: {key}: unknown key{_suggest(key, ['school_zone'])}")
            elif value not in ("A", "B", "C"):
                problems.append(f"sources.toml: opening_hours: school_zone: {value!r} is not a school holiday zone "
                                "(expected \"A\", \"B\" or \"C\")")
            else:
                school_zone = value
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list):
        problems.append("sources.toml: source: expected [[source]] tables")
        raw_sources = []
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_sources):
        spec, lines = _one(raw, i, default_language, kinds, defaults, path.parent)
        if spec is not None and spec.id in seen:
            lines.append(f'sources.toml: source "{spec.id}": id: used twice (expected a different id per source)')
            spec = None
        problems += lines
        if spec is not None:
            seen.add(spec.id)
            specs.append(spec)
    return SourcesConfig(tuple(specs), tuple(problems), path, school_zone)


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _one(raw: Any, index: int, default_language: str, kinds: Mapping[str, Mapping[str, Field]],
         defaults: Mapping[str, Mapping[str, Any]], base: Path) -> tuple[SourceSpec | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [f"sources.toml: source[{index}]: expected a [[source]] table"]
    sid = raw.get("id")
    label = f'source "{sid}"' if isinstance(sid, str) and sid else f"source[{index}]"
    problems: list[str] = []

    def bad(key: str, what: str, f: Field | None = None) -> None:
        expected = f" (expected {f.expected})" if f and f.expected else ""
        problems.append(f"sources.toml: {label}: {key}: {what}{expected}")

    raw_kind = raw.get("kind")
    kind = raw_kind if isinstance(raw_kind, str) else ""
    if kind not in kinds:
        choices = sorted(kinds)
        if raw_kind is None:
            bad("kind", f"missing (expected one of {', '.join(choices)})")
        else:
            bad("kind", f"unknown kind {raw_kind!r}{_suggest(str(raw_kind), choices)} "
                f"(expected one of {', '.join(choices)})")
        fields: dict[str, Field] = dict(COMMON)
    else:
        fields = {**COMMON, **kinds[kind]}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in SECRET_KEYS:
            bad(key, 'a credential is never written in sources.toml (expected key_file = "/path/to/file" '
                'or key_env = "VARIABLE")')
            continue
        f = fields.get(key)
        if f is None:
            bad(key, f"unknown key{_suggest(key, sorted(fields))}")
            continue
        if key == "kind":
            continue
        checked = _check(value, f)
        if isinstance(checked, _Bad):
            bad(key, checked.message, f)
        else:
            values[key] = checked
    for key, f in fields.items():
        if f.required and key not in raw and key != "kind":
            if key == "url" and kind in defaults and defaults[kind].get("url"):
                continue
            bad(key, "missing", f)
    if problems or kind not in kinds:
        return None, problems
    if values.get("enabled") is False:
        return None, []  # switched off: nothing from it is fetched or published
    kd = defaults.get(kind, {})
    url = values.get("url") or kd.get("url", "")
    if not url:
        bad("url", "missing", COMMON["url"])
        return None, problems
    if values.get("key_file") and values.get("key_env"):
        bad("key_env", "give key_file or key_env, not both")
        return None, problems
    options = {k: values.get(k, f.default) for k, f in kinds[kind].items()}
    return SourceSpec(
        id=values["id"], kind=kind, url=url, name=values.get("name") or kd.get("name", ""),
        licence=values.get("licence") or kd.get("licence", ""),
        language=values.get("language") or default_language, tags=tuple(values.get("tags", ())),
        category=values.get("category") or kd.get("category", "info"),
        hold_for_review=values.get("hold_for_review", False),
        max_bytes=values.get("max_mb", 10) * 1024 * 1024, timeout_s=float(values.get("timeout", 20)),
        options=options, key_file=values.get("key_file", ""), key_env=values.get("key_env", ""), base_dir=base,
    ), problems


@dataclass(frozen=True)
class _Bad:
    message: str


def _check(value: Any, f: Field) -> Any:
    t = f.type
    if t == "id":
        if not isinstance(value, str) or not SOURCE_ID.match(value):
            return _Bad(f"{value!r} is not a valid id")
        return value
    if t == "str":
        return value if isinstance(value, str) and value.strip() else _Bad(f"{value!r} is not a text")
    if t == "url":
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
            return _Bad(f"{value!r} is not a web address")
        return value
    if t == "bool":
        return value if isinstance(value, bool) else _Bad(f"{value!r} is not true or false")
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return _Bad(f"{value!r} is not a whole number")
        if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
            return _Bad(f"{value} is out of range")
        return value
    if t == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            return _Bad(f"{value!r} is not a number")
        if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
            return _Bad(f"{value} is out of range")
        return float(value)
    if t == "choice":
        if value not in f.choices:
            return _Bad(f"{value!r} is not one of {', '.join(f.choices)}{_suggest(str(value), list(f.choices))}")
        return value
    if t in ("str_list", "id_list", "choice_list"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return _Bad(f"{value!r} is not a list of texts")
        for v in value:
            if t == "id_list" and not PLAYLIST_ID.match(v):
                return _Bad(f"{v!r} is not a valid tag (lowercase letters, digits, - or _)")
            if t == "choice_list" and v not in f.choices:
                return _Bad(f"{v!r} is not one of {', '.join(f.choices)}{_suggest(v, list(f.choices))}")
        return tuple(value)
    if t == "playlist":
        if not isinstance(value, str) or not PLAYLIST_ID.match(value):
            return _Bad(f"{value!r} is not a playlist id")
        return value
    raise AssertionError(t)

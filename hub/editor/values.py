"""A document's TOML values as JSON (for the database and digests) and back.

TOML has dates, times and local date-times that JSON has not: they travel tagged
(``{"$datetime": "2027-03-31T00:00:00"}``) so a change waiting for approval writes back
exactly what the form made.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

_TAGS = ("$datetime", "$date", "$time")


def to_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    return value


def from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            (key, raw), = value.items()
            if key == "$datetime":
                return datetime.fromisoformat(raw)
            if key == "$date":
                return date.fromisoformat(raw)
            if key == "$time":
                return time.fromisoformat(raw)
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """tomlkit's wrapped values as plain Python (dict, list, str, datetime …)."""
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value


def digest(values: Mapping[str, Any] | None) -> str:
    """A document's values as one short hash (the form keeps it to notice a hand edit)."""
    if values is None:
        return "absent"
    text = json.dumps(to_json(plain(values)), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def file_digest(data: bytes | None) -> str:
    return "absent" if data is None else hashlib.sha256(data).hexdigest()[:32]

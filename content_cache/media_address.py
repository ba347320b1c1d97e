"""What names a file in the media store: its sha256, checked before it makes a path.

A file lives under its content address (``<root>/sha256/<2 hex>/<64 hex>``); the digest is
checked (:func:`check_sha256`) before any path is made of it, so no caller can escape the
store. :class:`StoredFile` is what a verified write returns. Files are read in chunks of
``_CHUNK`` bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidDigest

SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")  # \Z: `$` would also take a final "\n"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


def check_sha256(value: str) -> str:
    """Return ``value`` if it is a lowercase hex sha256, else raise :class:`InvalidDigest`
    (a ``ValueError``)."""
    if not isinstance(value, str) or not SHA256_RE.match(value):
        raise InvalidDigest(f"not a sha256 hex digest: {value!r}")
    return value

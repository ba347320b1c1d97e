"""Device tokens, enrolment codes and the metrics token: made random, kept as hashes.

A token is 256 random bits, so a plain sha256 is enough to keep it (no slow hash needed,
and a lookup stays one indexed query). Enrolment codes are short enough to type
(``ABCD-EFGH-JKLM-NPQR``: 16 characters of a 32-letter alphabet without look-alikes,
80 bits), expire, and serve once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_enrol_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    """What the technician typed: case, spaces and dashes do not matter."""
    return "".join(c for c in code.upper() if c.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(("enrol:" + normalise_code(code)).encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())

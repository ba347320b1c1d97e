"""The sources' HTTP: conditional GET, timeouts, size limits, content-type checks.

One :class:`Fetcher` per run (a requests session: its connection pool is shared by every
source). Every request is conditional when the previous answer gave an ``ETag`` or a
``Last-Modified``; a 304 costs no body. Bodies are read in chunks and counted *after*
decompression (gzip and deflate are decoded here, not by urllib3, with an output limit per
step), so a 100 MB feed or a gzip bomb stops at the source's limit instead of filling the
memory. Each failure is a :class:`~hub.sources.base.FetchError` with one line saying what
went wrong and what was expected.
"""
from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

import requests

from .base import Answer, FetchError, Validators

log = logging.getLogger(__name__)

USER_AGENT = "town-kiosk-publisher (content sources; +https://www.service-public.fr)"
CHUNK = 64 * 1024
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT_S = 20.0

# What each family of content may be served as. Servers are lax (an RSS feed as text/xml,
# a CSV as text/plain or octet-stream): these lists are the ones seen in the field; an HTML
# page (a login or error page answered 200) is what they exist to catch.
XML_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
             "application/rdf+xml", "application/cap+xml")
ICS_TYPES = ("text/calendar", "application/ics", "text/plain", "application/octet-stream")
JSON_TYPES = ("application/json", "application/ld+json", "application/geo+json", "text/json")
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/octet-stream",
             "application/vnd.ms-excel")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


class Fetcher:
    """GETs for the sources of one run, counted (``requests``, ``conditional``)."""

    def __init__(self, *, timeout_s: float = DEFAULT_TIMEOUT_S, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.timeout_s = timeout_s
        self.requests = 0
        self.conditional = 0
        self.not_modified = 0

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, *, accept: Iterable[str], what: str, validators: Validators | None = None,
            params: Mapping[str, Any] | list[tuple[str, str]] | None = None, headers: Mapping[str, str] | None = None,
            max_bytes: int = DEFAULT_MAX_BYTES, timeout_s: float | None = None) -> Answer:
        """GET ``url``; conditional when ``validators`` has any. ``accept`` lists the media
        types this body may have, ``what`` names it for messages ("an RSS or Atom feed")."""
        timeout = timeout_s or self.timeout_s
        accept = tuple(accept)
        h = {"Accept-Encoding": "gzip, deflate", **(headers or {})}
        if validators:
            h.update(validators.headers())
            if validators.headers():
                self.conditional += 1
        self.requests += 1
        started = time.monotonic()
        try:
            r = self.session.get(url, params=params, headers=h, stream=True, timeout=(min(timeout, 10.0), timeout),
                                 allow_redirects=True)
        except requests.exceptions.Timeout:
            raise FetchError(f"no answer within {timeout:g} s ({_host(url)})") from None
        except requests.exceptions.SSLError:
            raise FetchError(f"TLS certificate of {_host(url)} refused") from None
        except requests.exceptions.ConnectionError:
            raise FetchError(f"cannot connect to {_host(url)}") from None
        except requests.exceptions.RequestException as e:
            raise FetchError(f"request failed: {type(e).__name__}") from None
        with r:
            new_validators = Validators(r.headers.get("ETag"), r.headers.get("Last-Modified"))
            if r.status_code == 304:
                self.not_modified += 1
                return Answer(304, b"", "", None, validators or new_validators)
            if r.status_code >= 400:
                raise FetchError(f"HTTP {r.status_code} {r.reason or ''}".rstrip() + _status_hint(r.status_code))
            if r.status_code != 200:
                raise FetchError(f"HTTP {r.status_code}: expected 200 with {what}")
            mime, charset = _content_type(r.headers.get("Content-Type", ""))
            if mime and mime not in accept:
                shown = ", ".join(accept[:3]) + (", …" if len(accept) > 3 else "")
                raise FetchError(f"answered {mime}, expected {what} ({shown})")
            body = _read_limited(r, max_bytes, started, timeout, url)
        if not body:
            raise FetchError(f"empty answer, expected {what}")
        return Answer(200, body, mime, charset, new_validators)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return " (check the source's key or token)"
    if status == 404:
        return " (check the url)"
    if status == 429:
        return " (the service limits requests: it will be asked again later)"
    if status >= 500:
        return " (the service has a problem: it will be asked again later)"
    return ""


def _content_type(value: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in value.split(";")]
    mime = parts[0].lower()
    charset = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip('"').lower() or None
    return mime, charset


def _read_limited(r: requests.Response, max_bytes: int, started: float, timeout: float, url: str) -> bytes:
    """The body, decompressed here with a bound on the output, within ``timeout`` in all."""
    encoding = r.headers.get("Content-Encoding", "").strip().lower()
    declared = r.headers.get("Content-Length")
    if not encoding and declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{_mb(int(declared))} announced, more than the {_mb(max_bytes)} limit (max_mb)")
    decomp: Any = None
    if encoding in ("gzip", "x-gzip"):
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decomp = zlib.decompressobj()
    elif encoding not in ("", "identity"):
        raise FetchError(f"unsupported Content-Encoding {encoding!r}")
    out = bytearray()
    try:
        for chunk in r.raw.stream(CHUNK, decode_content=False):
            if time.monotonic() - started > timeout:
                raise FetchError(f"answer not complete within {timeout:g} s ({_host(url)})")
            if decomp is None:
                out += chunk
            else:
                data = chunk
                while data:
                    # Never more than the room left (+1 to know it overflowed) per step.
                    piece = decomp.decompress(data, max_bytes - len(out) + 1)
                    out += piece
                    if len(out) > max_bytes:
                        break
                    data = decomp.unconsumed_tail
            if len(out) > max_bytes:
                what = "decompressed" if decomp is not None else "long"
                raise FetchError(f"more than {_mb(max_bytes)} {what}: larger than the limit (max_mb), "
                                 "not read further")
    except zlib.error:
        raise FetchError(f"{encoding} body is corrupt") from None
    except requests.exceptions.RequestException:
        raise FetchError(f"connection lost while reading ({_host(url)})") from None
    except Exception as e:  # urllib3's read timeouts and protocol errors
        if isinstance(e, FetchError):
            raise
        if "timed out" in str(e).lower():
            raise FetchError(f"no data for {timeout:g} s while reading ({_host(url)})") from None
        raise FetchError(f"connection lost while reading ({_host(url)}: {type(e).__name__})") from None
    return bytes(out)


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"

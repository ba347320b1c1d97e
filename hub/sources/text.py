"""What every kind does to text: HTML to safe plain text, encodings that lie, hostile XML.

Kiosk pages show plain text: HTML from a feed or an agenda is reduced by nh3 (Ammonia) to
its text — scripts and styles dropped with their content, paragraphs and line breaks kept as
new lines, entities decoded. XML is first parsed by defusedxml, which refuses entity
declarations (billion laughs) and external entities before any other parser sees the bytes.
"""
from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element

import nh3
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from .base import ParseError

_BLOCK_END = re.compile(r"</(p|div|h[1-6]|tr|blockquote|section|article|ul|ol|table)\s*>", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_LIST_ITEM = re.compile(r"<li[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"']", re.I)
_LATIN = ("iso-8859-1", "latin-1", "latin1", "iso-8859-15", "windows-1252", "cp1252", "us-ascii", "ascii")


def html_to_text(value: str | None, limit: int = 20000) -> str:
    """HTML (or plain text with entities) → plain text with paragraphs, at most ``limit`` chars."""
    if not value:
        return ""
    s = value
    if _TAG.search(s):  # HTML: its own line breaks are spaces; the tags say where lines end
        s = re.sub(r"\s+", " ", s)
    s = _BREAK.sub("\n", s)
    s = _LIST_ITEM.sub("\n• ", s)
    s = _BLOCK_END.sub("\n\n", s)
    s = nh3.clean(s, tags=set(), clean_content_tags={"script", "style", "noscript", "iframe", "object"})
    s = html.unescape(html.unescape(s))  # nh3 escapes & < >; feeds often double-escape
    lines = [_SPACES.sub(" ", line).strip() for line in s.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def summary_of(text: str, limit: int = 280) -> str:
    """The first paragraph of ``text``, cut at a word before ``limit`` characters."""
    first = text.split("\n\n", 1)[0].replace("\n", " ").strip()
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def declared_encoding(body: bytes, http_charset: str | None) -> str | None:
    m = _XML_DECL.match(body[:200])
    return http_charset or (m.group(1).decode("ascii").lower() if m else None)


def fix_encoding(body: bytes, http_charset: str | None) -> tuple[bytes, str | None]:
    """XML bytes whose declared encoding is wrong → UTF-8 bytes declared as such.

    A feed that declares ISO-8859-1 but sends UTF-8 (a CMS upgraded, its template not), or
    declares UTF-8 but sends Windows-1252 (an export from an old tool): the bytes decide.
    Returns the bytes to parse and a note when the declaration was wrong.
    """
    declared = declared_encoding(body, http_charset)
    try:
        text = body.decode("utf-8")
        utf8_ok = True
    except UnicodeDecodeError:
        utf8_ok = False
    if declared in (None, "utf-8", "utf8"):
        if utf8_ok:
            return body, None
        # Declared (or assumed) UTF-8 but is not: Windows-1252 is what such bytes are.
        text = body.decode("cp1252", errors="replace")
        return _as_utf8(text), f"declared {declared or 'UTF-8'} but is not UTF-8: read as Windows-1252"
    if declared in _LATIN:
        if utf8_ok and re.search(r"[^\x00-\x7f]", text):
            return _as_utf8(text), f"declared {declared.upper()} but is UTF-8: read as UTF-8"
        return _as_utf8(body.decode("cp1252", errors="replace")), None
    try:
        return _as_utf8(body.decode(declared)), None
    except (LookupError, UnicodeDecodeError):
        if utf8_ok:
            return _as_utf8(text), f"declared {declared} but is UTF-8: read as UTF-8"
        raise ParseError(f"cannot decode the answer as {declared}") from None


def _as_utf8(text: str) -> bytes:
    """Text → UTF-8 bytes with the XML declaration (if any) saying so."""
    text = re.sub(r"^(\s*<\?xml[^>]*?encoding=)[\"'][A-Za-z0-9._-]+[\"']", r'\1"utf-8"', text, count=1)
    return text.encode("utf-8")


def safe_xml(body: bytes, what: str) -> Element:
    """Parse XML with defusedxml: entity declarations and external references refused."""
    try:
        return SafeET.fromstring(body)
    except DefusedXmlException as e:
        raise ParseError(f"refused: the XML declares entities or external references ({type(e).__name__}); "
                         f"expected {what}") from None
    except SafeET.ParseError as e:
        raise ParseError(f"not well-formed XML ({e}); expected {what}") from None


def https_only(url: str | None) -> str:
    """``url`` if it is an https address the manifest accepts, else ''."""
    if url and url.startswith("https://") and not re.search(r"\s", url) and len(url) <= 2000:
        return url
    return ""

"""``rss`` and ``atom``: a website's news feed (WordPress, Drupal, SPIP, Joomla …).

Each entry becomes a kiosk news page (title, summary, full text as plain text, date, link,
picture); ``ticker = true`` also makes its title a ticker bulletin for ``ticker_days`` days;
``poster_playlist = "lobby"`` makes an entry's image enclosure a poster of that playlist.
Parsed by feedparser after defusedxml has checked the XML and the declared encoding has
been checked against the bytes.
"""
from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from .base import JSON, Context, MediaSink, ParseError, Payload, SourceResult, attribution, iso_utc, stable_id
from .config import Field
from .fetch import XML_TYPES
from .simple import OneUrlSource
from .text import fix_encoding, html_to_text, https_only, safe_xml, summary_of

FIELDS = {
    "ticker": Field("bool", default=False, expected="true or false"),
    "ticker_days": Field("int", default=7, minimum=1, maximum=60, expected="1 … 60 (days)"),
    "poster_playlist": Field("playlist", expected="the id of a playlist, e.g. \"lobby\""),
    "poster_seconds": Field("int", default=10, minimum=3, maximum=120, expected="3 … 120 (seconds)"),
    "max_items": Field("int", default=30, minimum=1, maximum=500, expected="1 … 500"),
}


class FeedSource(OneUrlSource):
    kind: ClassVar[str] = "rss"
    accept = XML_TYPES
    what = "an RSS or Atom feed"

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        import feedparser

        body, note = fix_encoding(payload.body, payload.charset)
        safe_xml(body, self.what)  # refuses entity declarations and external references
        feed = feedparser.parse(body, response_headers={"content-type": "application/xml; charset=utf-8"})
        if feed.get("version", "") == "" and not feed.entries:
            raise ParseError(f"not an RSS or Atom feed (no channel and no entry); expected {self.what}")
        spec = self.spec
        lang = spec.language
        channel_name = spec.name or html_to_text(feed.feed.get("title")) or urlsplit(spec.url).netloc
        channel_link = https_only(feed.feed.get("link"))
        warnings = [f"encoding: {note}"] if note else []
        news: list[JSON] = []
        bulletins: list[JSON] = []
        items: list[tuple[str, JSON]] = []
        files = []
        for entry in feed.entries[: spec.option("max_items")]:
            key = entry.get("id") or entry.get("link") or entry.get("title")
            title = html_to_text(entry.get("title"), limit=300)
            if not key or not title:
                continue
            when = _when(entry)
            body_html = (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
            text = html_to_text(body_html)
            summary = summary_of(html_to_text(entry.get("summary") or "") or text)
            doc_id = stable_id(spec.id, key)
            doc: JSON = {"id": doc_id, "title": {lang: title}}
            if summary:
                doc["summary"] = {lang: summary}
            rest = _after_summary(text, summary)
            if rest:
                doc["body"] = {lang: rest}
            if when:
                doc["date"] = when.astimezone(ctx.tz).date().isoformat()
            link = https_only(entry.get("link"))
            if link:
                doc["url"] = link
            if spec.tags:
                doc["tags"] = list(spec.tags)
            image_url = _image_url(entry)
            picture = media.image(image_url) if image_url else None
            if picture:
                doc["image"] = picture.sha256
                files.append(picture)
            doc["source"] = attribution(channel_name, link or channel_link, when or ctx.now, spec.licence)
            news.append(doc)
            if spec.option("ticker"):
                start = when or ctx.now
                bulletin: JSON = {"id": doc_id, "category": spec.category, "severity": "info",
                                  "title": {lang: title}, "valid_from": iso_utc(start),
                                  "valid_until": iso_utc(start + timedelta(days=spec.option("ticker_days")))}
                bulletins.append(bulletin)
            if picture and spec.option("poster_playlist"):
                item: JSON = {"id": doc_id, "type": "image", "media": picture.sha256,
                              "duration": spec.option("poster_seconds"), "caption": {lang: title}}
                if spec.tags:
                    item["tags"] = list(spec.tags)
                items.append((spec.option("poster_playlist"), item))
        if not news and feed.entries:
            raise ParseError("the feed's entries have no title")
        if feed.get("bozo") and not news:
            raise ParseError(f"not a readable feed ({type(feed.get('bozo_exception')).__name__}); expected {self.what}")
        return SourceResult({"news": tuple(news)}, tuple(bulletins), tuple(items), tuple(files), tuple(warnings))


class AtomSource(FeedSource):
    kind: ClassVar[str] = "atom"


def _after_summary(text: str, summary: str) -> str:
    """The full text without its first paragraph when that paragraph is the summary (the
    page shows the summary, then the text: not the same paragraph twice)."""
    if not text or text == summary:
        return ""
    first, _, rest = text.partition("\n\n")
    if summary and " ".join(first.split()).startswith(summary.rstrip("…").strip()):
        return rest.strip()
    return text


def _when(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def _image_url(entry: Any) -> str:
    for enc in entry.get("enclosures") or ():
        if str(enc.get("type", "")).startswith("image/") and enc.get("href"):
            return str(enc["href"])
    for m in entry.get("media_content") or ():
        is_image = str(m.get("medium", "")) == "image" or str(m.get("type", "")).startswith("image/")
        if is_image and m.get("url"):
            return str(m["url"])
    for link in entry.get("links") or ():
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link.get("href", ""))
    return ""

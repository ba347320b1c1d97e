"""A broken source never breaks the screen: each failure keeps the last good result, the
publication goes on, and one line names the source and the problem."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.publisher import publish
from hub.sources import SourcesRun

from .server import FIXTURES, SourceServer
from .town import NOW, write_town

FEED = "/feed/"


@pytest.fixture
def server() -> Iterator[SourceServer]:
    srv = SourceServer()
    yield srv
    srv.stop()


@pytest.fixture
def town(tmp_path: Path, server: SourceServer) -> Path:
    src = write_town(tmp_path, server, ("rss",))
    text = (src / "sources.toml").read_text().replace('kind = "rss"', 'kind = "rss"\ntimeout = 2')
    (src / "sources.toml").write_text(text)
    return src


def _publish(src: Path, tmp_path: Path) -> tuple[object, SourcesRun]:
    run = SourcesRun(src, tmp_path / "state", now=NOW)
    return publish(src, tmp_path / "tree", NOW, sources=run), run


def _news_titles(tmp_path: Path) -> list[str]:
    manifest = json.loads((tmp_path / "tree" / "v1" / "manifest.json").read_bytes())
    return [d["title"]["fr"] for d in manifest["kiosk"]["news"]]


def _broken(src: Path, tmp_path: Path, server: SourceServer, setup: object) -> str:
    """Publish good, break the feed with ``setup``, publish again: returns the source's line."""
    good, _ = _publish(src, tmp_path)
    titles = _news_titles(tmp_path)
    assert len(titles) == 3
    if callable(setup):
        setup()
    again, run = _publish(src, tmp_path)
    assert again.version == good.version and _news_titles(tmp_path) == titles  # last good result kept
    [line] = [w for w in again.warnings if w.startswith('source "rss"')]
    assert line.endswith("; its last good result (from 2026-11-26 07:00) is published")
    assert [o.spec.id for o in run.stale] == ["rss"]
    return line


def test_timeout(town: Path, tmp_path: Path, server: SourceServer) -> None:
    started = time.monotonic()
    line = _broken(town, tmp_path, server, lambda: server.fault(FEED, "hang"))
    assert f'source "rss" (rss): no answer within 2 s (127.0.0.1:{server.server_address[1]})' in line
    assert time.monotonic() - started < 15


def test_a_100_mb_feed_stops_at_the_limit(town: Path, tmp_path: Path, server: SourceServer) -> None:
    started = time.monotonic()
    line = _broken(town, tmp_path, server, lambda: server.fault(FEED, "huge"))
    assert "more than 10 MB long: larger than the limit (max_mb), not read further" in line
    assert time.monotonic() - started < 15


def test_a_gzip_bomb_stops_at_the_limit_decompressed(town: Path, tmp_path: Path, server: SourceServer) -> None:
    line = _broken(town, tmp_path, server, lambda: server.fault(FEED, "bomb"))
    assert "more than 10 MB decompressed: larger than the limit (max_mb), not read further" in line


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><guid>1</guid></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title><guid>1</guid></item></channel></rss>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_hostile_xml_is_refused(town: Path, tmp_path: Path, server: SourceServer, body: bytes) -> None:
    line = _broken(town, tmp_path, server, lambda: server.serve(FEED, body, "application/rss+xml"))
    assert 'source "rss" (rss): refused: the XML declares entities or external references (EntitiesForbidden); ' \
           "expected an RSS or Atom feed" in line


@pytest.mark.parametrize(("status", "text"), [("404", "HTTP 404 Not Found (check the url)"),
                                              ("500", "HTTP 500 Internal Server Error (the service has a problem: "
                                                      "it will be asked again later)")])
def test_http_errors(town: Path, tmp_path: Path, server: SourceServer, status: str, text: str) -> None:
    line = _broken(town, tmp_path, server, lambda: server.fault(FEED, status))
    assert f'source "rss" (rss): {text};' in line


def test_wrong_content_type(town: Path, tmp_path: Path, server: SourceServer) -> None:
    line = _broken(town, tmp_path, server, lambda: server.fault(FEED, "html"))
    assert 'source "rss" (rss): answered text/html, expected an RSS or Atom feed (application/rss+xml, ' \
           "application/atom+xml, application/xml, …);" in line


def test_not_a_feed(town: Path, tmp_path: Path, server: SourceServer) -> None:
    line = _broken(town, tmp_path, server, lambda: server.serve(FEED, b"<html><body>x</body></html>",
                                                                "text/xml"))
    assert "not an RSS or Atom feed (no channel and no entry); expected an RSS or Atom feed" in line


def test_a_broken_answer_is_asked_for_again_not_taken_for_the_last_good_one(town: Path, tmp_path: Path,
                                                                           server: SourceServer) -> None:
    _broken(town, tmp_path, server, lambda: server.serve(FEED, XXE, "application/rss+xml"))
    # Still broken: asked again in full (the broken answer's ETag was not kept), still stale.
    server.take_hits()
    _, run = _publish(town, tmp_path)
    [hit] = [h for h in server.take_hits() if h.path == FEED]
    assert hit.status == 200 and run.stale
    # Fixed: fresh again.
    server.serve(FEED, "wordpress-rss.xml", "application/rss+xml")
    _, run = _publish(town, tmp_path)
    assert not run.stale


def test_a_feed_declaring_iso_8859_1_but_sending_utf8_reads_right(town: Path, tmp_path: Path,
                                                                  server: SourceServer) -> None:
    body = (FIXTURES / "wordpress-rss.xml").read_bytes().replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    server.serve(FEED, body, "application/rss+xml; charset=ISO-8859-1")
    _, run = _publish(town, tmp_path)
    assert "Travaux rue Haute : circulation alternée jusqu’au 4 décembre" in _news_titles(tmp_path)
    assert 'source "rss": encoding: declared ISO-8859-1 but is UTF-8: read as UTF-8' in run.notes


def test_a_feed_declaring_utf8_but_sending_windows_1252_reads_right(town: Path, tmp_path: Path,
                                                                    server: SourceServer) -> None:
    text = (FIXTURES / "wordpress-rss.xml").read_text("utf-8").replace("&#8217;", "'")
    server.serve(FEED, text.encode("cp1252"), "application/rss+xml; charset=UTF-8")
    _, run = _publish(town, tmp_path)
    assert "Travaux rue Haute : circulation alternée jusqu'au 4 décembre" in _news_titles(tmp_path)
    assert 'source "rss": encoding: declared utf-8 but is not UTF-8: read as Windows-1252' in run.notes


def test_a_feed_served_gzipped_reads_like_any_other(town: Path, tmp_path: Path, server: SourceServer) -> None:
    server.serve(FEED, "wordpress-rss.xml", "application/rss+xml", gzip=True)
    _publish(town, tmp_path)
    assert len(_news_titles(tmp_path)) == 3

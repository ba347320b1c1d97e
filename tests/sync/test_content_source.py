"""The contract of a content source (sync.ContentSource), run against every implementation:
the content API over HTTP (ContentApiClient, against the reference server) and a content
pack on a folder (LocalPackSource, a USB key). Both read the same published tree."""
from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from content_cache import MediaStore
from hub.publisher import publish
from hub.refserver import ContentTreeServer
from sync import (
    ApiUnreachable,
    ContentApiClient,
    ContentSource,
    LocalPackSource,
    ManifestError,
    MediaDownloadError,
    NewManifest,
    NotModified,
    Stopped,
    SyncError,
    SyncSettings,
)

from ..helpers import write_source


@dataclass
class Source:
    """A published tree, and sources reading it the way one implementation does."""

    tree: Path
    open: Callable[..., ContentSource]  # a source over ``tree``; keyword arguments: SyncSettings fields
    unreadable: Callable[[], ContentSource]  # a source with nothing to read at its address


def _no_wait(_seconds: float) -> None:
    """Retries without backoff: the contract does not depend on how long a source waits."""


@pytest.fixture(params=["content-api", "usb-pack"])
def source(request: pytest.FixtureRequest, published: Path, tmp_path: Path) -> Iterator[Source]:
    if request.param == "content-api":
        server = ContentTreeServer(published, "127.0.0.1", 0).start_background()

        def client(url: str, **kw: object) -> ContentSource:
            return ContentApiClient(SyncSettings(api_url=url, max_attempts=2, **kw), sleep=_no_wait)

        yield Source(published, lambda **kw: client(server.url, **kw), lambda: client("http://127.0.0.1:9"))
        server.stop()
    else:
        def pack(root: Path, **kw: object) -> ContentSource:
            return LocalPackSource(root, SyncSettings(api_url=root.as_uri(), **kw))

        (tmp_path / "empty").mkdir()
        yield Source(published, lambda **kw: pack(published, **kw), lambda: pack(tmp_path / "empty"))


def _manifest(tree: Path) -> dict:
    return json.loads((tree / "v1" / "manifest.json").read_bytes())


def test_a_new_manifest_comes_validated_with_its_etag_and_the_digest_of_its_bytes(source: Source) -> None:
    src = source.open()
    fetched = src.fetch_manifest(None)
    body = (source.tree / "v1" / "manifest.json").read_bytes()
    assert isinstance(fetched, NewManifest)
    assert fetched.manifest.version == _manifest(source.tree)["version"]
    assert [m.sha256 for m in fetched.manifest.media] == [m["sha256"] for m in _manifest(source.tree)["media"]]
    assert fetched.etag and fetched.body_sha256 == hashlib.sha256(body).hexdigest()
    assert fetched.url.endswith("v1/manifest.json")
    assert src.requests_made == 1


def test_the_same_etag_again_is_not_modified(source: Source) -> None:
    src = source.open()
    first = src.fetch_manifest(None)
    assert isinstance(first, NewManifest)
    again = src.fetch_manifest(first.etag)
    assert again == NotModified(etag=first.etag, url=first.url)
    assert isinstance(src.fetch_manifest('"another"'), NewManifest)


def test_a_device_gets_its_own_manifest_when_the_source_has_one(source: Source, tmp_path: Path) -> None:
    other = tmp_path / "other"
    publish(write_source(tmp_path / "src-other", images=2, title="Marché de Noël"), other)
    own = source.tree / "v1" / "devices" / "totem-12"
    own.mkdir(parents=True)
    shutil.copy(other / "v1" / "manifest.json", own / "manifest.json")
    mine = source.open(device_id="totem-12").fetch_manifest(None)
    shared = source.open(device_id="totem-13").fetch_manifest(None)
    assert isinstance(mine, NewManifest) and isinstance(shared, NewManifest)
    assert mine.manifest.version == _manifest(other)["version"] != shared.manifest.version
    assert mine.url.endswith("v1/devices/totem-12/manifest.json")


def test_media_arrive_whole_and_verified_under_their_content_address(source: Source, tmp_path: Path) -> None:
    src = source.open()
    store = MediaStore(tmp_path / "store")
    store.ensure()
    seen: list[int] = []
    for m in _manifest(source.tree)["media"]:
        stored = src.download_media(store, m["sha256"], m["size"], seen.append)
        assert (stored.sha256, stored.size) == (m["sha256"], m["size"])
        assert stored.path.read_bytes() == (source.tree / "v1" / "media" / m["sha256"]).read_bytes()
        assert store.has(m["sha256"], m["size"])
    media = _manifest(source.tree)["media"]
    assert sum(seen) == sum(m["size"] for m in media) and src.requests_made == len(media)


def test_altered_media_are_refused_and_nothing_gets_their_name(source: Source, tmp_path: Path) -> None:
    m = _manifest(source.tree)["media"][0]
    path = source.tree / "v1" / "media" / m["sha256"]
    path.write_bytes(bytes(len(path.read_bytes())))  # same size, other bytes
    store = MediaStore(tmp_path / "store")
    store.ensure()
    with pytest.raises(MediaDownloadError) as e:
        source.open().download_media(store, m["sha256"], m["size"])
    assert m["sha256"] in str(e.value) and isinstance(e.value, SyncError)
    assert not store.has(m["sha256"]) and not store.path_for(m["sha256"]).exists()


def test_missing_media_are_a_download_error_naming_the_file(source: Source, tmp_path: Path) -> None:
    m = _manifest(source.tree)["media"][0]
    (source.tree / "v1" / "media" / m["sha256"]).unlink()
    store = MediaStore(tmp_path / "store")
    store.ensure()
    with pytest.raises(MediaDownloadError, match=m["sha256"]):
        source.open().download_media(store, m["sha256"], m["size"])
    assert not store.has(m["sha256"])


def test_an_invalid_manifest_is_a_manifest_error_naming_the_field(source: Source) -> None:
    doc = _manifest(source.tree)
    doc["media"][0]["size"] = -1
    (source.tree / "v1" / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"media\[0\]\.size") as e:
        source.open().fetch_manifest(None)
    assert isinstance(e.value, SyncError)


def test_a_source_with_nothing_to_read_is_unreachable(source: Source) -> None:
    with pytest.raises(ApiUnreachable):
        source.unreadable().fetch_manifest(None)


def test_a_stopped_source_reads_nothing_more(source: Source, tmp_path: Path) -> None:
    src = source.open()
    src.stop.set()
    store = MediaStore(tmp_path / "store")
    store.ensure()
    m = _manifest(source.tree)["media"][0]
    with pytest.raises(Stopped):
        src.fetch_manifest(None)
    with pytest.raises(Stopped):
        src.download_media(store, m["sha256"], m["size"])
    assert not store.path_for(m["sha256"]).exists()  # partial bytes may be kept to resume, never named


def test_a_source_tells_where_it_reads_and_with_which_settings(source: Source) -> None:
    src = source.open(device_id="totem-12", parallel_downloads=2)
    assert (src.settings.device_id, src.settings.parallel_downloads) == ("totem-12", 2)
    assert src.base_url.startswith(("http://", "file://"))
    assert not src.stop.is_set()

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from content_cache import MediaStore, MediaVerificationError


def test_verified_bytes_land_under_their_content_address(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    data = b"poster bytes" * 1000
    sha = hashlib.sha256(data).hexdigest()
    stored = store.put_verified([data[:5000], data[5000:]], sha, len(data))
    assert stored.path == tmp_path / "media" / "sha256" / sha[:2] / sha
    assert stored.path.read_bytes() == data
    assert store.has(sha, len(data)) and store.verify(sha, len(data))
    assert list((tmp_path / "media" / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    "chunks, size, message",
    [
        ([b"wrong content"], 13, "hashes to"),
        ([b"short"], 100, "received 5 bytes, expected 100"),
        ([b"x" * 50], 10, "more than the announced 10 bytes"),
    ],
)
def test_mismatched_bytes_never_get_a_final_name(
    tmp_path: Path, chunks: list[bytes], size: int, message: str
) -> None:
    store = MediaStore(tmp_path / "media")
    sha = hashlib.sha256(b"the real file").hexdigest()
    with pytest.raises(MediaVerificationError, match=message):
        store.put_verified(chunks, sha, size)
    assert not store.path_for(sha).exists()
    assert store.list_digests() == set()
    assert list((tmp_path / "media" / "tmp").iterdir()) == []


def test_interrupted_stream_leaves_nothing_behind(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")

    def broken():
        yield b"first part"
        raise ConnectionResetError("peer reset")

    with pytest.raises(ConnectionResetError):
        store.put_verified(broken(), "b" * 64, 100)
    assert not store.path_for("b" * 64).exists()
    assert list((tmp_path / "media" / "tmp").iterdir()) == []


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/etc/passwd", "A" * 64, "abc", "g" * 64])
def test_paths_are_only_built_from_real_digests(tmp_path: Path, bad: str) -> None:
    store = MediaStore(tmp_path / "media")
    with pytest.raises(ValueError, match="not a sha256"):
        store.path_for(bad)


def test_corruption_on_disk_is_detected_by_verify(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    data = b"video" * 100
    sha = hashlib.sha256(data).hexdigest()
    stored = store.put_verified([data], sha, len(data))
    stored.path.write_bytes(b"V" + data[1:])
    assert store.has(sha, len(data))  # same size: the cheap check cannot tell
    assert not store.verify(sha, len(data))

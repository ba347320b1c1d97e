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


def test_file_copied_through_one_reused_buffer_lands_whole(tmp_path: Path) -> None:
    import io

    from content_cache import read_chunks

    store = MediaStore(tmp_path / "media")
    data = bytes(range(256)) * 1000  # 256,000 bytes: several reads of the 64 KiB buffer
    sha = hashlib.sha256(data).hexdigest()
    part = store.partial(sha, len(data))
    part.restart()
    seen: list[int] = []
    stored = part.append_and_commit(read_chunks(io.BytesIO(data), 64 * 1024), on_bytes=seen.append)
    assert stored.path.read_bytes() == data
    assert seen == [65536, 65536, 65536, 59392]
    assert list((tmp_path / "media" / "tmp").iterdir()) == []


def test_stream_interrupted_between_chunks_is_kept_for_resuming(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    data = b"0123456789" * 100
    sha = hashlib.sha256(data).hexdigest()

    class Deadline(Exception):
        pass

    def stop_after_first_chunk() -> None:
        raise Deadline

    part = store.partial(sha, len(data))
    with pytest.raises(Deadline):
        part.append_and_commit([data[:400], data[400:]], between_chunks=stop_after_first_chunk)
    part.close()
    assert not store.path_for(sha).exists()
    assert store.partial_path(sha).read_bytes() == data[:400]

    again = store.partial(sha, len(data))
    assert again.resume() == 400
    again.append_and_commit([data[400:]])
    assert store.path_for(sha).read_bytes() == data
    assert not store.partial_path(sha).exists()


def test_stream_longer_than_announced_is_discarded(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    data = b"abc" * 10
    sha = hashlib.sha256(data).hexdigest()
    part = store.partial(sha, len(data))
    with pytest.raises(MediaVerificationError, match="more than the announced"):
        part.append_and_commit([data, b"extra"])
    assert not store.partial_path(sha).exists()
    assert not store.path_for(sha).exists()


def _blob(i: int) -> tuple[bytes, str]:
    data = f"media file {i} ".encode() * (100 + i)
    return data, hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("has_syncfs", [True, False])
def test_batched_files_get_their_names_only_at_the_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, has_syncfs: bool
) -> None:
    from content_cache import BatchedStore
    from content_cache import store as store_module

    if not has_syncfs:  # a C library without syncfs: file-by-file fdatasync and directory fsync
        monkeypatch.setattr(store_module, "_syncfs", lambda path: False)
    store = MediaStore(tmp_path / "media")
    blobs = [_blob(i) for i in range(3)]
    with BatchedStore(store) as batch:
        for data, sha in blobs:
            batch.put_verified([data], sha, len(data))
            assert not store.has(sha)  # verified, queued under its temp name
            assert store.partial_path(sha).read_bytes() == data
    for data, sha in blobs:
        assert store.path_for(sha).read_bytes() == data
    assert store.list_digests() == {sha for _, sha in blobs}
    assert list((tmp_path / "media" / "tmp").iterdir()) == []


def test_batch_flushes_by_itself_when_full(tmp_path: Path) -> None:
    from content_cache import BatchedStore

    store = MediaStore(tmp_path / "media")
    batch = BatchedStore(store, max_pending_files=2)
    (d0, s0), (d1, s1), (d2, s2) = (_blob(i) for i in range(3))
    batch.put_verified([d0], s0, len(d0))
    assert store.list_digests() == set()
    batch.put_verified([d1], s1, len(d1))
    assert store.list_digests() == {s0, s1}
    batch.put_verified([d2], s2, len(d2))
    assert batch.flush() == 1
    assert store.verify(s2, len(d2))


def test_bad_file_in_a_batch_never_gets_a_name_and_the_good_ones_do(tmp_path: Path) -> None:
    from content_cache import BatchedStore

    store = MediaStore(tmp_path / "media")
    good, good_sha = _blob(1)
    bad, bad_sha = _blob(2)
    with BatchedStore(store) as batch:
        batch.put_verified([good], good_sha, len(good))
        with pytest.raises(MediaVerificationError, match="hashes to"):
            batch.put_verified([bad + b"tampered"], bad_sha, len(bad) + 8)
    assert store.list_digests() == {good_sha}
    assert list((tmp_path / "media" / "tmp").iterdir()) == []


def test_queued_file_left_by_a_crash_is_committed_by_the_next_attempt(tmp_path: Path) -> None:
    import gc

    from content_cache import BatchedStore

    store = MediaStore(tmp_path / "media")
    data, sha = _blob(4)
    batch = BatchedStore(store)
    batch.put_verified([data], sha, len(data))  # never flushed: the process died ...
    del batch  # ... and its files were closed (a queued file is kept open and locked until renamed)
    gc.collect()
    assert not store.has(sha)
    part = store.partial(sha, len(data))
    assert part.resume() == len(data)  # the complete .part is re-hashed ...
    assert part.commit().path.read_bytes() == data  # ... and gets its name


def test_folders_removed_behind_a_long_lived_store_are_made_again(tmp_path: Path) -> None:
    # The daemon's store lives for weeks; a technician may empty media/ by hand meanwhile.
    import shutil

    from content_cache import BatchedStore

    store = MediaStore(tmp_path / "media")
    batch = BatchedStore(store)
    (d0, s0), (d1, s1) = _blob(5), _blob(6)
    batch.put_verified([d0], s0, len(d0))
    batch.flush()
    shutil.rmtree(tmp_path / "media")
    batch.put_verified([d1], s1, len(d1))  # tmp/ is gone: made again
    batch.flush()
    assert store.verify(s1, len(d1))
    shutil.rmtree(store.path_for(s1).parent)
    batch.put_verified([d0], s0, len(d0))  # a shard folder made at an earlier flush is gone
    batch.put_verified([d1], s1, len(d1))
    batch.flush()
    assert store.verify(s0, len(d0)) and store.verify(s1, len(d1))


def test_a_partial_download_resumes_from_one_open_file(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    data, sha = _blob(7)
    part = store.partial(sha, len(data))
    part.restart()
    part.write(data[:100])
    part.close()
    again = store.partial(sha, len(data))
    assert again.resume() == 100
    again.write(data[100:])  # appended after what was there
    assert again.commit().path.read_bytes() == data
